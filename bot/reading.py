"""Reading the files a fact base is made of, bounded whatever those files are.

A reload reads whatever is in facts/ and seeds/ at that moment, so the reading must not trust
the names: `x.yaml` may be a directory, a FIFO (opening it for reading waits for a writer
forever), a symlink to /dev/zero (its size says 0 and it never ends) or to a file outside the
folder. Here a file is read only if its real path is inside the folder and it is a regular
file, checked before opening and again on the open descriptor (opened without blocking and
without following a link swapped in meanwhile); at most `limit` bytes are read whatever its
size claims, and a whole load shares one byte budget, so a folder of many files is bounded too.
Every refusal is a `ReadRefused` carrying one line for the curator.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

MAX_FILE_BYTES: Final = 1 << 20
MAX_LOAD_BYTES: Final = 16 << 20  # all files of one load together
FILE_COST: Final = 4096  # what opening a file costs the budget, so 10**6 empty files are not free
_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check must not block us
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_NOFOLLOW", 0)  # the real path was resolved: a link now is a swap
    | getattr(os, "O_CLOEXEC", 0)
)
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class ReadRefused(Exception):
    """A file that is not read, and why, in one line."""


@dataclass
class Budget:
    """The bytes one load may still read, across all its files."""

    total: int = MAX_LOAD_BYTES
    left: int = field(init=False)

    def __post_init__(self) -> None:
        self.left = self.total

    @property
    def spent(self) -> bool:
        return self.left < FILE_COST

    def charge(self, size: int) -> None:
        self.left -= size


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, for the message; None if it is one."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bounded(
    path: Path,
    *,
    inside: Path | None,
    limit: int = MAX_FILE_BYTES,
    budget: Budget | None = None,
) -> bytes:
    """The bytes of `path`, a regular file whose real path is inside the folder `inside` (if
    one is given: a file named on the command line may be anywhere), if it holds at most
    `limit` bytes (and the budget, if any, covers them)."""
    real = Path(os.path.realpath(path))
    if inside is not None and not real.is_relative_to(os.path.realpath(inside)):
        raise ReadRefused(f"refused: it leads outside {inside} (to {real})")
    allowed = limit
    if budget is not None:
        if budget.spent:
            raise ReadRefused(_spent(budget))
        budget.charge(FILE_COST)
        allowed = min(limit, budget.left)
    try:
        kind = _kind(real.stat().st_mode)
        if kind:
            raise ReadRefused(f"refused: it is {kind}, not a regular file")
        descriptor = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise ReadRefused(f"cannot read file: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        kind = _kind(status.st_mode)
        if kind:  # swapped between the check and the open
            raise ReadRefused(f"refused: it is {kind}, not a regular file")
        data = file.read(allowed + 1)
    if budget is not None:
        budget.charge(len(data))
    if len(data) > limit:
        size = status.st_size if status.st_size > limit else f"more than {limit}"
        raise ReadRefused(f"file is {size} bytes; the limit is {limit}")
    if budget is not None and len(data) > allowed:
        budget.left = 0
        raise ReadRefused(_spent(budget))
    return data


def _spent(budget: Budget) -> str:
    return f"not read: the load has read {budget.total} bytes, all its budget"
