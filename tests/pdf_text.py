"""Read back what a PDF prints: the size every piece of text is drawn at, and its
structure (tagging), from the file itself. A test helper, no PDF library needed.

How the size is measured: a PDF draws text with `Tf` (a font at a size), placed by
the text matrix (`Tm`, moved by `Td`, `TD`, `T*`) inside the current transformation
matrix (`cm`, saved and restored by `q`/`Q`, and each form XObject's own `/Matrix`
when it is drawn with `Do`). The size a glyph prints at is the font size times the
length of the text space's vertical unit vector after both matrices: the height of
an em on the page, in points, whatever mix of font size and scaling the producer
chose. Every text-showing operator (`Tj`, `TJ`, `'`, `"`) records that size with its
page, inside form XObjects too. This reads what LibreOffice writes (classic
cross-reference tables, Flate-compressed streams); it is not a general PDF parser.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

_OBJECT = re.compile(rb"(?<![0-9])(\d+) 0 obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n")
_TOKEN = re.compile(
    rb"\s*(?:(?P<comment>%[^\r\n]*)|(?P<string>\()|(?P<hex><[0-9A-Fa-f\s]*>)|(?P<dict><<|>>)|(?P<array>[\[\]])"
    rb"|(?P<name>/[^\s/\[\]()<>{}%]*)|(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))|(?P<word>[A-Za-z'\"*][A-Za-z0-9'\"*]*))"
)
_SHOW = {b"Tj", b"TJ", b"'", b'"'}


@dataclass(frozen=True)
class TextRun:
    page: int  # 1-based
    size: float  # points on the page
    in_form: bool  # drawn inside a form XObject


def objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None)."""
    found = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        if stream is None:
            found[int(match.group(1))] = (body, None)
            continue
        head, raw = body[: stream.start()], body[stream.end() : body.rindex(b"endstream")]
        if b"/FlateDecode" in head:
            raw = zlib.decompressobj().decompress(raw)
        found[int(match.group(1))] = (head, raw)
    return found


def _skip_string(data: bytes, start: int) -> int:
    """The index after the literal string starting at `start` (the opening parenthesis)."""
    depth, index = 0, start
    while index < len(data):
        char = data[index : index + 1]
        if char == b"\\":
            index += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


def _operations(content: bytes):
    """(operator, operands) of a content stream; operands as numbers or names (bytes)."""
    operands: list = []
    index = 0
    while index < len(content):
        match = _TOKEN.match(content, index)
        if match is None:
            index += 1
            continue
        index = match.end()
        kind = match.lastgroup
        if kind == "string":
            index = _skip_string(content, match.start("string"))
            operands.append(b"(string)")
        elif kind == "number":
            operands.append(float(match.group("number")))
        elif kind == "name":
            operands.append(match.group("name"))
        elif kind in ("hex", "dict", "array"):
            operands.append(match.group(kind))
        elif kind == "word":
            yield match.group("word"), operands
            operands = []


def _multiply(a, b):
    """The matrix product a x b of two PDF matrices [a b c d e f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _ref(head: bytes, key: bytes) -> int | None:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", head)
    return int(found.group(1)) if found else None


def _xobjects(objs, resources_head: bytes) -> dict[bytes, int]:
    """Name -> object number of the form XObjects a resource dictionary names."""
    inline = re.search(rb"/XObject\s*<<(.*?)>>", resources_head, re.S)
    if inline is None:
        ref = _ref(resources_head, b"XObject")
        if ref is None or ref not in objs:
            return {}
        text = objs[ref][0]
    else:
        text = inline.group(1)
    return {b"/" + name: int(number) for name, number in re.findall(rb"/([^\s/<>\[\]]+)\s+(\d+) 0 R", text)}


def _resources(objs, head: bytes) -> bytes:
    ref = _ref(head, b"Resources")
    if ref is not None and ref in objs:
        return objs[ref][0]
    inline = re.search(rb"/Resources\s*(<<.*)", head, re.S)
    return inline.group(1) if inline else b""


def text_runs(data: bytes) -> list[TextRun]:
    """Every piece of text the PDF shows, with the size it prints at."""
    objs = objects(data)
    pages = [n for n, (head, _) in sorted(objs.items()) if re.search(rb"/Type\s*/Page(?![s\w])", head)]
    order = _page_order(objs) or pages
    runs: list[TextRun] = []
    for number, page in enumerate(order, 1):
        head = objs[page][0]
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", head)
        refs = [int(n) for n in re.findall(rb"(\d+) 0 R", contents.group(1))] if contents else []
        stream = b"\n".join(objs[r][1] or b"" for r in refs if r in objs)
        _run(objs, stream, _resources(objs, head), [1, 0, 0, 1, 0, 0], number, False, runs, 0)
    return runs


def _page_order(objs) -> list[int]:
    """The pages in reading order, following the page tree from the catalogue."""
    catalogue = next((head for head, _ in objs.values() if re.search(rb"/Type\s*/Catalog\b", head)), None)
    root = _ref(catalogue, b"Pages") if catalogue else None
    order: list[int] = []

    def walk(number: int) -> None:
        head = objs.get(number, (b"", None))[0]
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", head)
        if kids:
            for kid in re.findall(rb"(\d+) 0 R", kids.group(1)):
                walk(int(kid))
        elif re.search(rb"/Type\s*/Page(?![s\w])", head):
            order.append(number)

    if root is not None:
        walk(root)
    return order


def _run(objs, content, resources, ctm, page, in_form, runs, depth) -> None:
    if depth > 10:
        return
    stack: list = []
    text = line = [1, 0, 0, 1, 0, 0]
    size = leading = 0.0
    xobjects = _xobjects(objs, resources)
    for op, args in _operations(content):
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q" and stack:
            ctm = stack.pop()
        elif op == b"cm" and len(args) == 6:
            ctm = _multiply(args, ctm)
        elif op == b"BT":
            text = line = [1, 0, 0, 1, 0, 0]
        elif op == b"Tf" and len(args) == 2:
            size = float(args[1])
        elif op == b"TL" and args:
            leading = float(args[0])
        elif op == b"Tm" and len(args) == 6:
            text = line = list(args)
        elif op in (b"Td", b"TD") and len(args) == 2:
            if op == b"TD":
                leading = -float(args[1])
            text = line = _multiply([1, 0, 0, 1, args[0], args[1]], line)
        elif op == b"T*":
            text = line = _multiply([1, 0, 0, 1, 0, -leading], line)
        elif op in _SHOW:
            matrix = _multiply(text, ctm)
            runs.append(TextRun(page, abs(size) * math.hypot(matrix[2], matrix[3]), in_form))
        elif op == b"Do" and args and args[-1] in xobjects:
            form = objs.get(xobjects[args[-1]])
            if form is None or form[1] is None or b"/Form" not in form[0]:
                continue
            matrix = re.search(rb"/Matrix\s*\[([^\]]*)\]", form[0])
            own = [float(v) for v in matrix.group(1).split()] if matrix else [1, 0, 0, 1, 0, 0]
            _run(
                objs, form[1], _resources(objs, form[0]) or resources, _multiply(own, ctm), page, True, runs, depth + 1
            )


def is_tagged(data: bytes) -> bool:
    """A tagged PDF: the catalogue says it is marked and has a structure tree."""
    catalogue = next((head for head, _ in objects(data).values() if re.search(rb"/Type\s*/Catalog\b", head)), b"")
    marked = re.search(rb"/MarkInfo\s*<<[^>]*/Marked\s+true", catalogue) or re.search(rb"/Marked\s+true", data)
    return bool(marked) and b"/StructTreeRoot" in catalogue


def structure_types(data: bytes) -> set[str]:
    """The structure element types (`/S /H1`, `/S /Figure` ...) a tagged PDF holds:
    those of the objects that are structure elements (a type and a parent, `/P`)."""
    types = set()
    for head, _ in objects(data).values():
        found = re.search(rb"/S\s*/([A-Za-z0-9]+)", head)
        if found and re.search(rb"/P\s+\d+ 0 R", head):
            types.add(found.group(1).decode())
    return types


def figure_alt_texts(data: bytes) -> list[str]:
    """The alternative text of every Figure structure element of a tagged PDF."""
    texts = []
    for head, _ in objects(data).values():
        if not re.search(rb"/S\s*/Figure\b", head):
            continue
        found = re.search(rb"/Alt\s*(<[0-9A-Fa-f\s]+>|\((?:[^()\\]|\\.)*\))", head)
        if found is None:
            texts.append("")
            continue
        value = found.group(1)
        if value.startswith(b"<"):
            raw = bytes.fromhex(value[1:-1].decode())
            texts.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
        else:
            texts.append(re.sub(rb"\\(.)", rb"\1", value[1:-1]).decode("latin-1"))
    return texts
