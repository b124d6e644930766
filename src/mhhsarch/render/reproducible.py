"""Make zip-based documents (DOCX, XLSX) byte-identical from run to run.

python-docx and openpyxl stamp the current time on every zip entry and in
docProps/core.xml; we rewrite both with the one timestamp of the render
(SOURCE_DATE_EPOCH or the model's commit time).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
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
    date_time = time.gmtime(max(epoch, 315532800))[:6]
    stamp = iso_timestamp(epoch).encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, content in entries:
            if name == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, content, compresslevel=6)
    return buffer.getvalue()
