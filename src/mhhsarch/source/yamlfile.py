"""Read one YAML file into plain Python values, keeping a way back to positions.

libyaml composes the node tree (fast, in C); we convert nodes to plain values
ourselves instead of using PyYAML's constructor, for three reasons:

* speed: a single pass with no per-node method dispatch;
* safety: duplicate keys, unknown tags, alias bombs and recursive aliases are
  reported, never silently accepted or allowed to blow up;
* the scalars an editor sees: plain scalars are read as the YAML 1.2 core schema
  reads them (scalars.py), the schema of yaml-language-server, not PyYAML's YAML 1.1
  (where `yes`/`on` are booleans, `07` octal and `2022-03-28` a date); a plain value
  that another common reader reads as a different number is reported (Y113).

The root node is kept so that a diagnostic can be located lazily: positions are
looked up only for the few nodes that are reported on.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from mhhsarch.diagnostics.core import Finding, SourceSpan
from mhhsarch.source import scalars

MAX_FILE_BYTES = 20 * 1024 * 1024
# libyaml's composer crashes (C stack overflow) somewhere past 20,000 levels; no
# model file needs more than a dozen.
MAX_NESTING = 1000
# Expanded nodes allowed beyond one per byte of text: aliases may repeat small
# blocks, but an exponential "billion laughs" expansion is refused.
ALIAS_EXPANSION_ALLOWANCE = 10_000

_PLAIN = "?plain"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_STANDARD_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}

_NULLS, _TRUE, _FALSE = scalars.NULLS, scalars.TRUE, scalars.FALSE
_NUMBER_START = scalars.NUMBER_START
# Only the structure indicators that let one short line nest deeply.
_NESTING_HINT = re.compile(r"(?:[-?][ \t]+){" + str(MAX_NESTING) + "}")


class _NodeParser(yaml.CBaseLoader):
    """libyaml's composer with a resolver that only separates plain from quoted scalars."""

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML hook
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    # The composer calls these around every node to support path-based resolvers,
    # which we do not use: no-ops save a quarter of a million calls at scale 10.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


class YamlProblem(Exception):
    """A located problem with a file as a whole (the file cannot be converted)."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass
class YamlFile:
    """A parsed model file: its plain data, its node tree, and the problems found in it."""

    path: str  # POSIX, relative to the working directory (as diagnostics show it)
    data: object = None
    root: object = None
    problems: list[tuple[str, Finding]] = field(default_factory=list)
    text: str | None = None  # split into lines only when a diagnostic shows one
    disk_path: str | None = None

    def detached(self) -> YamlFile:
        """A copy without the node tree and text, cheap to send to another process;
        they are read again from disk if a diagnostic needs a position."""
        return YamlFile(self.path, self.data, None, self.problems, None, self.disk_path)

    def _reattach(self) -> None:
        if self.root is None and self.data is not None and self.disk_path is not None:
            again = read_yaml(self.disk_path, self.path)
            self.root, self.text = again.root, again.text

    # --- positions -------------------------------------------------------
    def span(self, path: tuple = (), *, key: bool = False) -> SourceSpan:
        """The span of the node at `path` (keys and list indexes); `key=True` points
        at the mapping key of the last step instead of its value. Falls back to the
        deepest node that exists."""
        key_node, node, reached = self._node_at(path)
        if reached and key and key_node is not None:
            node = key_node
        if node is None:
            return SourceSpan(self.path, 1, 1)
        return _node_span(self.path, node)

    def plain_text(self, path: tuple) -> str | None:
        """The text of the node at `path` as written, when it is a plain (unquoted) scalar."""
        _, node, reached = self._node_at(path)
        if reached and type(node) is ScalarNode and node.tag == _PLAIN:
            return node.value
        return None

    def _node_at(self, path: tuple):
        """(key node, node, whether the whole path was found) for the deepest node on `path`."""
        self._reattach()
        node = self.root
        key_node = None
        for step in path:
            if isinstance(node, MappingNode):
                found = None
                for k, v in node.value:
                    if isinstance(step, str) and isinstance(k, ScalarNode) and _scalar(k) == step:
                        found = (k, v)
                if found is None:
                    return key_node, node, False
                key_node, node = found
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                return key_node, node, False
        return key_node, node, True

    def source_line(self, line: int) -> str | None:
        self._reattach()
        if self.text is None:
            return None
        lines = self._lines
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return None

    @cached_property
    def _lines(self) -> list[str]:
        return self.text.splitlines() if self.text is not None else []


def _node_span(path: str, node) -> SourceSpan:
    start, end = node.start_mark, node.end_mark
    return SourceSpan(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def read_yaml(path_on_disk, shown_path: str) -> YamlFile:
    """Parse one file. Never raises for bad input: problems are recorded on the result."""
    result = YamlFile(path=shown_path, disk_path=str(path_on_disk))
    try:
        raw = _read_bytes(path_on_disk)
        text = _decode(raw)
        result.text = text
        _refuse_deep_nesting(text)
        parser = _NodeParser(text)
        try:
            result.root = parser.get_single_node()
        finally:
            parser.dispose()
        if result.root is not None:
            converter = _Converter(result, budget=len(text) + ALIAS_EXPANSION_ALLOWANCE)
            result.data = converter.convert(result.root)
    except YamlProblem as problem:
        result.data = None
        result.problems.append(
            (problem.code, Finding(problem.message, SourceSpan(shown_path, problem.line, problem.column)))
        )
    except yaml.reader.ReaderError as error:  # a character YAML text may not hold (DEL, ESC, NUL, ...)
        line, column = _position_of_byte(result.text or "", error.position)
        result.data = None
        result.problems.append(
            (
                "Y101",
                Finding(
                    f"YAML syntax error: {_character_name(error.character)} is not allowed in YAML text "
                    "(write it as an escape in a double-quoted string, or remove it)",
                    SourceSpan(shown_path, line, column),
                ),
            )
        )
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        result.data = None
        if error.problem and "maximum nesting depth" in error.problem:
            # libyaml (0.2.5 and later) stops deep nesting itself: the same finding as our guard's
            message = f"structure nested more than {MAX_NESTING} levels deep"
            result.problems.append(("Y107", Finding(message, SourceSpan(shown_path, line, column))))
        else:
            message = " ".join(p for p in (error.context, error.problem) if p) or str(error)
            result.problems.append(
                ("Y101", Finding(f"YAML syntax error: {message}", SourceSpan(shown_path, line, column)))
            )
    except yaml.YAMLError as error:
        result.data = None
        result.problems.append(("Y101", Finding(f"YAML syntax error: {error}", SourceSpan(shown_path, 1, 1))))
    except RecursionError:
        result.data = None
        result.problems.append(
            ("Y107", Finding("structure nested too deeply (or a recursive alias)", SourceSpan(shown_path, 1, 1)))
        )
    return result


def _position_of_byte(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of a byte offset into the UTF-8 text,
    the way libyaml reports where it stopped reading."""
    before = text.encode("utf-8", "surrogatepass")[: max(0, offset)].decode("utf-8", "replace")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


_CONTROL_NAMES = {0x7F: "DEL", 0x1B: "ESC", 0x00: "NUL", 0x08: "backspace", 0x0C: "form feed", 0x0B: "vertical tab"}


def _character_name(code: int) -> str:
    name = _CONTROL_NAMES.get(code)
    return f"the control character U+{code:04X}" + (f" ({name})" if name else "")


# Open flags for model files: never follow a symlink at the last step (the loader
# resolves and checks links itself and passes the target) and never block (a FIFO
# swapped in after the loader's check would otherwise hang the open forever).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_bytes(path_on_disk) -> bytes:
    try:
        descriptor = os.open(path_on_disk, _OPEN_FLAGS)
    except OSError as error:
        raise YamlProblem("Y105", f"cannot read file: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise YamlProblem("Y111", "not a regular file; it is not read")
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise YamlProblem("Y105", f"cannot read file: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem("Y108", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    return raw


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            "Y105",
            f"file is not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded (save the file as UTF-8)",
            line,
            column,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        raise YamlProblem(
            "Y105", "file holds a NUL byte: it is binary, not YAML text", line, index - text.rfind("\n", 0, index)
        )
    return text


def _refuse_deep_nesting(text: str) -> None:
    """libyaml's C composer recurses once per nesting level and overflows the C
    stack (a segmentation fault) near 100,000 levels, so very deep nesting is
    refused before it is composed. Only text that could nest deeply pays for the
    exact check."""
    brackets = text.count("[") + text.count("{")
    indicators = text.count("-") + text.count("?")
    if brackets < MAX_NESTING and (indicators < MAX_NESTING or not _NESTING_HINT.search(text)):
        return
    depth = 0
    parser = yaml.CBaseLoader(text)
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            kind = type(event)
            if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                depth += 1
                if depth > MAX_NESTING:
                    mark = event.start_mark
                    raise YamlProblem(
                        "Y107",
                        f"structure nested more than {MAX_NESTING} levels deep",
                        mark.line + 1,
                        mark.column + 1,
                    )
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                depth -= 1
            elif kind is yaml.StreamEndEvent:
                return
    finally:
        parser.dispose()


def _scalar(node: ScalarNode):
    """The plain Python value of a scalar node (see the module docstring for the rules)."""
    tag = node.tag
    value = node.value
    if tag is _STR or tag == _STR:
        return value
    if tag == _PLAIN:
        if value in _NULLS:
            return None
        if value[0] in _NUMBER_START:
            return scalars.core_number(value)
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return value
    return _explicit_scalar(node)


def _explicit_scalar(node: ScalarNode):
    tag, value = node.tag, node.value
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if tag not in _STANDARD_SCALAR_TAGS:
        raise YamlProblem("Y106", f"tag '{tag}' is not allowed in model files", line, column)
    try:
        if tag.endswith((":int", ":float")):  # `!!int 0x1F`: the core schema's forms
            number = scalars.core_number(value) if value[:1] in _NUMBER_START else value
            if isinstance(number, str) or (tag.endswith(":int") and not isinstance(number, int)):
                raise ValueError(value)
            return float(number) if tag.endswith(":float") else number
        if tag.endswith(":bool"):
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
            raise ValueError(value)
        if tag.endswith(":null"):
            return None
    except ValueError:
        raise YamlProblem("Y106", f"'{value}' is not a valid {tag.rsplit(':', 1)[-1]}", line, column) from None
    return value


class _Converter:
    def __init__(self, result: YamlFile, budget: int):
        self.result = result
        self.budget = budget

    def convert(self, node):
        self.budget -= 1
        if self.budget < 0:
            mark = node.start_mark
            raise YamlProblem(
                "Y107",
                "aliases expand to far more nodes than the file holds (an alias bomb?)",
                mark.line + 1,
                mark.column + 1,
            )
        kind = type(node)
        if kind is ScalarNode:
            value = _scalar(node)
            if node.tag == _PLAIN and node.value[:1] in _NUMBER_START:
                self._check_other_readers(node, value)
            return value
        if node.tag != _MAP and node.tag != _SEQ:
            mark = node.start_mark
            raise YamlProblem("Y106", f"tag '{node.tag}' is not allowed in model files", mark.line + 1, mark.column + 1)
        if kind is SequenceNode:
            convert = self.convert
            return [convert(item) for item in node.value]
        mapping = {}
        convert = self.convert
        kept = 0
        for key_node, value_node in node.value:
            key = _scalar(key_node) if type(key_node) is ScalarNode else key_node
            if not isinstance(key, str):
                self._report_key_not_text(key_node, key)
                continue  # left out: every later stage (JSON Schema, documents) needs text keys
            if key_node.tag == _PLAIN and key[:1] in _NUMBER_START:
                self._check_other_readers(key_node, key)
            mapping[key] = convert(value_node)
            kept += 1
        if len(mapping) != kept:
            self._report_duplicate_keys(node)
        return mapping

    def _check_other_readers(self, node: ScalarNode, value) -> None:
        """Y113 where another common YAML reader reads this plain value differently."""
        message = scalars.reading_differs(node.value, value)
        if message is not None:
            self.result.problems.append(("Y113", Finding(message, _node_span(self.result.path, node))))

    def _report_key_not_text(self, key_node, key) -> None:
        if isinstance(key_node, SequenceNode | MappingNode):
            what = "a list or mapping"
        elif key is None:
            what = "empty (null)"
        elif isinstance(key, bool):
            what = f"the boolean {'true' if key else 'false'}"
        else:
            what = f"the number {key_node.value}"
        quoted = f'; quote it ("{key_node.value}":)' if type(key_node) is ScalarNode and key_node.value else ""
        self.result.problems.append(
            (
                "Y109",
                Finding(
                    f"mapping key is {what}, not text{quoted}; the entry is ignored",
                    _node_span(self.result.path, key_node),
                ),
            )
        )

    def _report_duplicate_keys(self, node: MappingNode) -> None:
        first_seen: dict = {}
        for key_node, _ in node.value:
            if type(key_node) is not ScalarNode:
                continue
            key = _scalar(key_node)
            if not isinstance(key, str):
                continue
            if key in first_seen:
                first = first_seen[key]
                span = _node_span(self.result.path, key_node)
                self.result.problems.append(
                    (
                        "Y102",
                        Finding(
                            f"duplicate key '{key}' (first at line {first.line}); YAML would silently keep only the last value",
                            span,
                            related=(first,),
                        ),
                    )
                )
            else:
                first_seen[key] = _node_span(self.result.path, key_node)
