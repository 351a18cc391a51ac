"""The bot's getUpdates, hardened where PTB 22's polling loop gives up or never stops trying.

Two failures of `Updater.start_polling` (telegram/ext/_updater.py, its network retry loop):

* An update PTB cannot read (`Update.de_json` raises on a malformed shape) fails the whole
  batch in `Bot.get_updates`; the updater logs it as critical with the batch's data and asks
  again from the same offset, at once and forever: the same update, the same traceback,
  thousands of times a minute, and no update after it is ever handled. Here each update is
  read on its own; one that cannot be read is logged once, with its update_id, and the next
  getUpdates asks from past it, so Telegram forgets it.
* A 401 (or 404) ends the retry loop for good: the process stays up and answers nobody, and
  no supervisor notices. Here a refusal is a passing error (retried with PTB's backoff, one
  line in the log each time) until it has lasted `patience` seconds; then `refused` is set,
  no further request is made, and `handlers/app.py` stops the bot and exits non-zero.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, Final, cast

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import ExtBot

from handlers.pacing import Paced

log = logging.getLogger("baybrief.polling")
PATIENCE: Final = 60.0  # seconds of refused getUpdates before the token counts as revoked
_REMEMBERED: Final = 1024  # unreadable update ids kept, so none is logged twice


class BayBot(ExtBot[Paced]):
    """PTB's ExtBot, with the getUpdates described above; every other method is PTB's."""

    def __init__(self, *args: Any, patience: float = PATIENCE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # PTB freezes its objects' public attributes after __init__: ours are private
        self._patience = patience
        self._refused = asyncio.Event()
        self._refusal = ""
        self._refused_since: float | None = None
        self._skip_past: int | None = None  # the highest unreadable update_id
        self._unreadable: list[int] = []
        self._idless = False  # an update without an id was logged (it cannot be skipped)

    @property
    def patience(self) -> float:
        """Seconds of refused getUpdates before the token counts as revoked."""
        return self._patience

    @property
    def refused(self) -> asyncio.Event:
        """Set once the token was refused for `patience` seconds: the bot must stop."""
        return self._refused

    @property
    def refusal(self) -> str:
        """What the server said when it refused (its description, never the token)."""
        return self._refusal

    async def get_updates(
        self, offset: int | None = None, *args: Any, **kwargs: Any
    ) -> tuple[Update, ...]:
        if self.refused.is_set():
            return ()  # stopping: not even the updater's last call on its way out
        if self._skip_past is not None and (offset is None or offset <= self._skip_past):
            offset = self._skip_past + 1  # confirms the unreadable update to Telegram
        try:
            updates = await super().get_updates(offset, *args, **kwargs)
        except InvalidToken as error:
            raise self._refusing(error) from None
        self._refused_since = None
        return updates

    def _refusing(self, error: InvalidToken) -> NetworkError:
        """The error for PTB's retry loop to back off from, once the refusal is counted."""
        now = time.monotonic()
        since = self._refused_since = self._refused_since or now
        self._refusal = error.message
        if now - since >= self._patience:
            self._refused.set()
        return NetworkError(f"getUpdates refused: {error.message} (for {now - since:.0f} s)")

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        """The one place that sees getUpdates' raw batch before `Bot.get_updates` reads it
        all at once (and fails on one bad update); every other request passes through."""
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            return self._readable(result)
        return result

    def _readable(self, batch: Sequence[object]) -> list[object]:
        """The updates of a getUpdates batch that PTB can read; the others logged once."""
        kept = []
        for raw in batch:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):  # the updater computes the next offset from it
                if not self._idless:
                    log.error("skipped an update without an integer update_id")
                self._idless = True
                continue
            try:
                Update.de_json(cast("dict[str, Any]", raw), self)
            except Exception as error:  # whatever de_json raises on a bad shape
                self._skip(update_id, error)
            else:
                kept.append(raw)
        return kept

    def _skip(self, update_id: int, error: Exception) -> None:
        self._skip_past = max(update_id, self._skip_past or update_id)
        if update_id in self._unreadable:
            return
        self._unreadable = [*self._unreadable[-_REMEMBERED + 1 :], update_id]
        log.error("skipped update %d: it cannot be read (%s: %s)", update_id,
                  type(error).__name__, str(error)[:200])  # fmt: skip
