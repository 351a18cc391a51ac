"""Reading curated YAML with `yaml.safe_load` semantics, minus its traps.

Fact files are edited by hand and reloaded into a running bot, so reading them must never hang,
eat memory or silently change meaning: aliases (the "billion laughs" bomb) and anchors are
refused, duplicate keys are errors instead of last-one-wins, only plain data tags are allowed,
reading is bounded whatever the file is (bot/reading.py), and every failure, including
PyYAML's non-YAMLError exceptions, becomes a `Problem` with the file, line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.problems import FactBaseError, Problem
from bot.reading import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported: tests read it here
from bot.reading import Budget, ReadRefused, read_bounded

_DATA_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)

# A path into the loaded data, e.g. (3, "sources", 0, "quote"), and where it was written.
Position = tuple[int, int]
Positions = dict[tuple[str | int, ...], Position]


class _Refused(Exception):
    """Valid YAML that fact files must not use; raised while composing, before any expansion."""

    def __init__(self, mark: Any, message: str) -> None:  # yaml.Mark, or the C extension's
        super().__init__(message)
        self.line: int = mark.line + 1 if mark else 1
        self.column: int = mark.column + 1 if mark else 1


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, "YAML aliases (*name) are not allowed")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, "YAML anchors (&name) are not allowed")
        return super().compose_node(parent, index)


class _NodeProblem(_Refused):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(node.start_mark, message)


def _build(loader: _StrictLoader, node: Node, path: tuple[str | int, ...], at: Positions) -> Any:
    at[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _DATA_TAGS:
        raise _NodeProblem(node, f"tag {node.tag} is not allowed; write plain data")
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _NodeProblem(key_node, "mapping keys must be plain scalars")
            key = _build(loader, key_node, (*path, "<key>"), at)
            if key in result:
                raise _NodeProblem(key_node, f"duplicate key {key!r}")
            result[key] = _build(loader, value_node, (*path, str(key)), at)
        return result
    if isinstance(node, SequenceNode):
        return [_build(loader, child, (*path, i), at) for i, child in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except Exception as exc:  # e.g. ValueError for 2025-13-45, which PyYAML lets escape
        raise _NodeProblem(node, f"cannot read value {node.value!r}: {exc}") from exc


def _line_of_offset(text: str, offset: int) -> Position:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def read_yaml(
    path: Path,
    *,
    shown_as: str | None = None,
    inside: Path | None = None,
    budget: Budget | None = None,
) -> tuple[Any, Positions]:
    """The data in `path` and the line/column of every node in it, or a `FactBaseError`.
    The file is read as `bot.reading` reads: a regular file inside `inside` (its own folder
    by default), at most MAX_FILE_BYTES, charged to the load's `budget`."""
    name = shown_as or str(path)

    def fail(line: int, column: int, message: str) -> FactBaseError:
        return FactBaseError([Problem(name, line, column, message)])

    try:
        raw = read_bounded(path, inside=inside or path.parent, budget=budget)
    except ReadRefused as exc:
        raise fail(1, 1, str(exc)) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", "replace")
        raise fail(*_line_of_offset(good, len(good)), "not valid UTF-8") from exc

    loader = _StrictLoader(text)
    positions: Positions = {}
    try:
        node = loader.get_single_node()
        data = None if node is None else _build(loader, node, (), positions)
    except _Refused as exc:
        raise fail(exc.line, exc.column, str(exc)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            # an unclosed [ is only noticed at the end: say where it was opened
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise fail(line, column, message) from exc
    except yaml.reader.ReaderError as exc:
        raise fail(*_line_of_offset(text, exc.position), f"YAML: {exc.reason}") from exc
    except RecursionError as exc:
        raise fail(1, 1, "YAML is nested too deeply") from exc
    except yaml.YAMLError as exc:
        raise fail(1, 1, f"YAML: {exc}") from exc
    finally:
        loader.dispose()
    return data, positions


def position_of(positions: Positions, path: tuple[str | int, ...]) -> Position:
    """The position of the deepest node along `path` that exists (pydantic locs overshoot)."""
    for end in range(len(path), -1, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return 1, 1
