"""Edit -> browser latency of `mhhsarch serve` on a copy of the shipped model.

Starts `mhhsarch serve` on a free port, opens an interface page in Debian's Chromium
(Playwright), then edits the interface's YAML file again and again and times how long
the page takes to show the edit (the save, the watcher, the model check, the diagrams
and pages that changed, the reload). Two kinds of edit: the interface's name (its
sequence and communication diagrams are redrawn, some 50 pages rewritten) and its
description (its own page only). Target: at most 1 s.

Run:  .venv/bin/python benchmarks/bench_serve.py [--edits 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5, help="edits of each kind")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(REPO / "model", Path(tmp) / "model")
        process = subprocess.Popen(
            [sys.executable, "-m", "mhhsarch", "-v", "serve", "model", "--port", "0"],
            cwd=tmp,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: list[str] = []
        assert process.stderr is not None
        stream = process.stderr
        threading.Thread(target=lambda: lines.extend(line.rstrip() for line in stream), daemon=True).start()
        started = time.monotonic()
        url = None
        while url is None and time.monotonic() - started < 120:
            url = next((m.group(1) for m in map(lambda x: re.search(r"serving (\S+/) ", x), lines) if m), None)
            time.sleep(0.05)
        if url is None:
            process.kill()
            print("serve did not start:", *lines, sep="\n", file=sys.stderr)
            return 1
        print(f"first build and start: {time.monotonic() - started:.1f} s")
        source = Path(tmp) / "model" / "interfaces" / "IF-021.yaml"
        original = source.read_text(encoding="utf-8")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_page()
                page.goto(url + "interfaces/IF-021.html")
                for kind, old in (
                    ("name", "name: UTC Settlement Period Consumption Data"),
                    ("description", "The central interface of MHHS"),
                ):
                    times = []
                    for n in range(args.edits):
                        marker = f"Edit{kind.capitalize()}{n}"
                        begun = time.monotonic()
                        source.write_text(original.replace(old, f"{old} {marker}", 1), encoding="utf-8")
                        page.wait_for_function(
                            f"document.body.textContent.includes('{marker}')", timeout=30000, polling=10
                        )
                        times.append(time.monotonic() - begun)
                        time.sleep(0.3)
                    print(
                        f"{kind} edit -> page shows it: median {statistics.median(times):.2f} s, "
                        f"max {max(times):.2f} s ({len(times)} edits)"
                    )
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
        said = [x for x in lines if "rebuilt" in x or "changed:" in x]
        print("serve said (first name edits, last description edits):", *said[:4], *said[-4:], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
