"""PDFs of the Word documents (`--pdf`): `specs/IF-xxx.pdf`, `processes/BPxxx.pdf`.

Phase 2, after the documents exist. LibreOffice converts them headless in batches:
one `soffice --convert-to pdf` call per batch, never one start-up per file. With two
or more jobs the documents are split into two batches that run side by side, each
with its own throw-away LibreOffice profile (two instances cannot share one).

Each document is converted from a copy whose table of contents is unwrapped
(`docxkit.unwrap_toc`) so that LibreOffice computes its page numbers. The PDF's
creation date is set to the render's date and its file identifier derived from its
content, so that a PDF changes only when LibreOffice lays it out differently.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.documents.docxkit import unwrap_toc
from mhhsarch.render.publish import RenderError

FOLDERS = ("specs", "processes")
MAX_BATCHES = 2
TIMEOUT_BASE, TIMEOUT_PER_DOC = 120, 20  # seconds
INSTALL_HINT = (
    "LibreOffice is needed for --pdf but `soffice` is not on PATH; install the Debian packages "
    "libreoffice-writer-nogui and libreoffice-calc-nogui (apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui), or render without --pdf"
)
# Headings as PDF bookmarks; diagrams kept lossless at their own resolution (LibreOffice's
# default re-samples every picture to 300 dpi as JPEG: slower, and blurs the diagrams'
# text). Tagged PDF is left off: it doubles the file size and costs about 0.3 s per
# document (measured with benchmarks/bench_documents.py).
EXPORT_FILTER = (
    'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"},'
    '"ReduceImageResolution":{"type":"boolean","value":"false"},'
    '"UseLosslessCompression":{"type":"boolean","value":"true"}}'
)

_CREATION = re.compile(rb"/CreationDate\(D:(\d{14})([^)]*)\)")
_FILE_ID = re.compile(rb"/ID \[ ?<([0-9A-Fa-f]{32})> ?<([0-9A-Fa-f]{32})> ?\]")


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_command(
    soffice: str, profile: Path, outdir: Path, inputs: list[Path], target: str = EXPORT_FILTER
) -> list[str]:
    return [
        soffice,
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, inputs),
    ]


def convert_batch(inputs: list[Path], outdir: Path, workdir: Path, target: str = EXPORT_FILTER) -> None:
    """Convert `inputs` in one LibreOffice run into `outdir` (with a fresh profile below
    `workdir`); raises RenderError naming what did not convert."""
    soffice = find_soffice()
    if soffice is None:
        raise RenderError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp", "HOME": str(workdir)}
    command = soffice_command(soffice, workdir / "profile", outdir, inputs, target)
    # LibreOffice (soffice -> oosplash -> soffice.bin) stays in the worker's process group:
    # when this batch times out or the render is interrupted, the publisher kills that
    # group, soffice.bin included (subprocess.run alone would kill only oosplash).
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_BASE + TIMEOUT_PER_DOC * len(inputs),
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(
            f"LibreOffice did not finish converting {len(inputs)} documents in {error.timeout:.0f}s"
        ) from None
    extension = target.split(":", 1)[0]
    missing = [p.name for p in inputs if not (outdir / f"{p.stem}.{extension}").is_file()]
    if done.returncode != 0 or missing:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RenderError(
            f"LibreOffice (exit {done.returncode}) did not convert {', '.join(missing[:5]) or 'every file'}"
            + (f": {' / '.join(detail)}" if detail else "")
        )


def pdf_copy_of(docx: Path, target: Path) -> None:
    """`docx` copied to `target` with its table of contents unwrapped for LibreOffice."""
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = unwrap_toc(data)
            copy.writestr(info, data)


def settle_pdf(data: bytes, epoch: int) -> bytes:
    """Creation date -> the render's date; file identifier -> a digest of the content.
    Both keep their length, so the cross-reference offsets stay right."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode()
    data = _CREATION.sub(lambda m: b"/CreationDate(D:" + stamp + m.group(2) + b")", data)
    digest = hashlib.md5(_FILE_ID.sub(b"", data), usedforsecurity=False).hexdigest().upper().encode()
    return _FILE_ID.sub(b"/ID [ <" + digest + b"> <" + digest + b"> ]", data)


def batches(paths: list[str], sizes: dict[str, int], count: int) -> list[list[str]]:
    """`paths` in `count` batches of about equal total size (largest first, to the lightest)."""
    groups: list[list[str]] = [[] for _ in range(count)]
    weights = [0] * count
    for path in sorted(paths, key=lambda p: (-sizes[p], p)):
        lightest = weights.index(min(weights))
        groups[lightest].append(path)
        weights[lightest] += sizes[path]
    return [sorted(g) for g in groups if g]


class PdfRenderer(Renderer):
    name = "pdf"
    title = "PDFs of the Word documents, by headless LibreOffice (only with --pdf)"
    phase = 2

    def available(self, ctx: RenderContext) -> str | None:
        return None if find_soffice() else INSTALL_HINT

    def plan(self, ctx: RenderContext) -> list[Job]:
        # planned after phase 1 has run: the documents to convert are those this run wrote
        docs = sorted(
            p.relative_to(ctx.out).as_posix() for folder in FOLDERS for p in (ctx.out / folder).glob("*.docx")
        )
        if not docs:
            return []
        sizes = {d: (ctx.out / d).stat().st_size for d in docs}
        count = max(1, min(MAX_BATCHES, ctx.options.jobs, len(docs)))
        jobs = []
        for n, batch in enumerate(batches(docs, sizes, count), 1):
            artefacts = [Artefact(d[: -len(".docx")] + ".pdf", "pdf", (Path(d).stem,)) for d in batch]

            def run(batch=batch) -> None:
                self.convert(ctx, batch)

            jobs.append(Job(f"pdf batch {n} ({len(batch)} documents)", artefacts, run))
        return jobs

    @staticmethod
    def convert(ctx: RenderContext, batch: list[str]) -> None:
        # Outside the output folder: LibreOffice's profile and copies must not be published.
        # During a render the temporary folder is the run's work folder (publish sets it),
        # so a killed render's profile is swept with its run folder, not left in /tmp.
        work = Path(tempfile.mkdtemp(prefix="mhhsarch-pdf-"))
        try:
            inputs = []
            (work / "in").mkdir()
            for rel in batch:
                copy = work / "in" / Path(rel).name
                pdf_copy_of(ctx.out / rel, copy)
                inputs.append(copy)
            convert_batch(inputs, work / "out", work)
            for rel in batch:
                pdf = work / "out" / (Path(rel).stem + ".pdf")
                ctx.target(rel[: -len(".docx")] + ".pdf").write_bytes(
                    settle_pdf(pdf.read_bytes(), ctx.options.source_date_epoch)
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
