"""Make zip-based documents (DOCX, XLSX) byte-identical from run to run.

python-docx and openpyxl stamp the current time on every zip entry and in
docProps/core.xml; we rewrite both with the one timestamp of the render
(SOURCE_DATE_EPOCH or the model's commit time).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def iso_timestamp(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def normalise_zip(path: Path, epoch: int) -> None:
    """Rewrite the zip at `path`: fixed entry times and attributes, entries in the
    order written, document property dates set to `epoch`."""
    path.write_bytes(normalised_zip(path.read_bytes(), epoch))


def normalised_zip(data: bytes, epoch: int) -> bytes:
    """`normalise_zip` in memory: the zip `data` rewritten (for writers that save to a buffer)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    return reproducible_zip(entries, epoch)


def reproducible_zip(entries: Iterable[tuple[str, bytes]], epoch: int, fresh: frozenset[str] = frozenset()) -> bytes:
    """The zip of `entries` (name, content), in their order, every entry deflated at
    level 6 and stamped with `epoch`, document property dates set to `epoch`.

    The bytes are those zipfile writes for `ZipInfo(name, date_time)` entries with
    ZIP_DEFLATED, mode 0644 and create_system 3 (what this module always wrote, so
    output did not change); it is written here rather than by zipfile so that the
    deflated form of a content seen before (the same diagram in several documents,
    the template's styles in all of them) is reused instead of compressed again
    (deflate is deterministic). Entries named in `fresh` are new in every file (a
    document's body) and are not remembered."""
    dt = time.gmtime(max(epoch, 315532800))[:6]
    dosdate = (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2]
    dostime = dt[3] << 11 | dt[4] << 5 | (dt[5] // 2)
    stamp = iso_timestamp(epoch).encode()
    out = io.BytesIO()
    directory = []
    for name, content in entries:
        if name == "docProps/core.xml":
            content = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
        crc, deflated = _deflated(content, remember=name not in fresh)
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800  # zipfile's UTF-8 name flag
        sizes = (crc, len(deflated), len(content), len(encoded))
        directory.append((encoded, flags, sizes, out.tell()))
        out.write(struct.pack("<4s2B4HL2L2H", b"PK\003\004", 20, 0, flags, 8, dostime, dosdate, *sizes, 0))
        out.write(encoded)
        out.write(deflated)
    start = out.tell()
    for encoded, flags, sizes, offset in directory:
        fields = (b"PK\001\002", 20, 3, 20, 0, flags, 8, dostime, dosdate, *sizes, 0, 0, 0, 0, 0o644 << 16, offset)
        out.write(struct.pack("<4s4B4HL2L5H2L", *fields))
        out.write(encoded)
    end = out.tell()
    out.write(struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, len(directory), len(directory), end - start, start, 0))
    return out.getvalue()


# Deflated forms already made in this process: sha1 of the content -> (CRC, deflated),
# the oldest forgotten beyond REMEMBERED_BYTES. A worker writing hundreds of documents
# deflates each embedded diagram and the template's unchanged parts once.
_DEFLATED: dict[bytes, tuple[int, bytes]] = {}
REMEMBERED_BYTES = 16 * 1024 * 1024  # per worker: two workers and a JVM stay under 1 GiB at scale 10
_remembered = 0


def _deflated(content: bytes, remember: bool) -> tuple[int, bytes]:
    global _remembered
    key = hashlib.sha1(content).digest() if remember else None
    found = _DEFLATED.get(key) if key is not None else None
    if found is not None:
        return found
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)  # as zipfile's at compresslevel 6
    made = zlib.crc32(content), compressor.compress(content) + compressor.flush()
    if key is not None:
        _DEFLATED[key] = made
        _remembered += len(made[1])
        while _remembered > REMEMBERED_BYTES:
            _remembered -= len(_DEFLATED.pop(next(iter(_DEFLATED)))[1])
    return made
