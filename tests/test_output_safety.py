"""What `mhhsarch render` may do to the file system (issue 9: data loss, interruption
litter, and the output side of the traceback and lesser classes).

Render replaces its output folder as a whole, so it must replace only a folder that is
its own, never the user's work; an empty selection must not replace a previous output;
a symlinked --out keeps its link; and a render stopped by a signal leaves the previous
output, no temporary folder and no process behind (after SIGKILL, the next render
sweeps what is left). All of it through the real CLI in a subprocess: the exit status,
what is printed and what is on disk afterwards are the behaviour.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_model
from mhhsarch.render import outdir

CHEAP = ("--only", "catalogue")  # one job, no external tool: for tests where the renderer does not matter
TOKEN = "MHHSARCH_TEST_TOKEN"  # marks every process a render starts, to find the ones left behind
needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc")


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def work(tmp_path) -> Path:
    """The current directory of every render: a note of the user's, and the model in
    proj/model (so that proj, the model's parent, is not the current directory)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("the user's own notes\n")
    copy_model(work / "proj/model")
    return work


def cli(work: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *args],
        cwd=work,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def render(work: Path, *args: str, out: str = "out", env: dict | None = None) -> subprocess.CompletedProcess:
    return cli(work, "render", "proj/model", "--out", out, *args, env=env)


def snapshot(root: Path) -> dict[str, object]:
    """Everything below `root`: folders, file bytes, link targets, special files (never
    opened: a FIFO would block)."""
    found: dict[str, object] = {}
    for folder, subfolders, files in os.walk(root):
        for name in subfolders + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(mode):
                found[rel] = "folder"
            elif stat.S_ISREG(mode):
                found[rel] = path.read_bytes()
            else:
                found[rel] = ("special", stat.S_IFMT(mode))
    return found


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mhhsarch: error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in lines[0], (word, lines[0])


def run_folders(parent: Path, name: str = "out") -> list[Path]:
    return sorted(parent.glob(f".{name}.rendering-*")) + sorted(parent.glob(f".{name}.previous-*"))


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def processes_with(token: str) -> list[int]:
    """Live (not zombie) processes whose environment carries `token`."""
    marker = f"{TOKEN}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone, or not ours to read
        if state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def slow_plantuml(tmp_path) -> Iterator[dict[str, str]]:
    """A stand-in `plantuml` that never finishes and starts a grandchild (as a launcher
    script does), noting that it started; the environment for a render that uses it."""
    bin_dir, started = tmp_path / "bin", tmp_path / "started"
    bin_dir.mkdir()
    started.mkdir()
    script = bin_dir / "plantuml"
    script.write_text(f'#!/bin/sh\ntouch "{started}/$$"\nsleep 300 &\nsleep 300\n')
    script.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", TOKEN: uuid.uuid4().hex, "STARTED": str(started)}
    yield env
    _kill_leftovers(env[TOKEN])


def _kill_leftovers(token: str) -> None:
    """After a failed test: stop what it left running (the test has already failed)."""
    if Path("/proc/self/environ").exists():
        for pid in processes_with(token):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def start_slow_render(work: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """A render that is busy in its tools once it returns: the run folder exists and a
    stand-in plantuml runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mhhsarch", "render", "proj/model", "--out", "out", "--only", "sequence", *args],
        cwd=work,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = Path(env["STARTED"])
    wait_for(lambda: run_folders(work) and any(started.iterdir()), "the render to start its tool")
    return process


# --------------------------------------------------------------------------- class 1: only its own folder


def _foreign_folder(work: Path) -> list[str]:
    (work / "site").mkdir()
    (work / "site/report.docx").write_text("someone's report")
    return ["--out", "site"]


def _other_tools_manifest(work: Path) -> list[str]:
    (work / "site").mkdir()
    (work / "site/manifest.json").write_text(json.dumps({"tool": {"name": "sphinx"}, "artefacts": []}))
    (work / "site/index.html").write_text("<html/>")
    return ["--out", "site"]


def _earlier_render_plus_a_user_file(work: Path) -> list[str]:
    assert render(work, *CHEAP).returncode == 0
    (work / "out/catalogue/my-annotations.txt").write_text("mine")
    return ["--out", "out"]


def _earlier_render_plus_a_symlink(work: Path) -> list[str]:
    assert render(work, *CHEAP).returncode == 0
    os.symlink("../notes.txt", work / "out/notes-link")
    return ["--out", "out"]


def _fifo_named_manifest(work: Path) -> list[str]:
    (work / "site").mkdir()
    os.mkfifo(work / "site/manifest.json")  # must be refused, not opened (it would block)
    return ["--out", "site"]


def _symlink_to_the_model(work: Path) -> list[str]:
    os.symlink("proj/model", work / "model-link")
    return ["--out", "model-link"]


def _repository_root(work: Path) -> list[str]:
    (work / "proj/.git").mkdir()
    return ["--out", "proj"]


def _templates_beside_the_repository(work: Path) -> list[str]:
    (work / "proj/.git").mkdir()
    (work / "proj/templates").mkdir()
    (work / "proj/templates/interface_spec.docx").write_bytes(b"PK")
    return ["--out", "proj/templates"]


def _template_folder(work: Path) -> list[str]:
    (work / "tpl").mkdir()
    (work / "tpl/interface_spec.docx").write_bytes(b"PK")
    return ["--template", "tpl", "--out", "tpl"]


def _inside_the_template_folder(work: Path) -> list[str]:
    _template_folder(work)
    return ["--template", "tpl", "--out", "tpl/rendered"]


REFUSED = {
    # (arguments, words the one-line error must hold)
    "model folder": (lambda w: ["--out", "proj/model"], ["is the model folder"]),
    "model subfolder": (lambda w: ["--out", "proj/model/processes"], ["lies inside the model folder"]),
    "new folder inside the model": (lambda w: ["--out", "proj/model/published"], ["lies inside the model folder"]),
    "model spelled with ..": (lambda w: ["--out", "proj/model/processes/.."], ["is the model folder"]),
    "parent of the model": (lambda w: ["--out", "proj"], ["contains the model folder"]),
    "parent spelled with a missing folder and ..": (lambda w: ["--out", "proj/nothing/.."], ["contains the model"]),
    "symlink to the model": (_symlink_to_the_model, ["is the model folder"]),
    "current directory": (lambda w: ["--out", "."], ["is the current directory"]),
    "current directory, absolute": (lambda w: ["--out", str(w)], ["is the current directory"]),
    "parent of the current directory": (lambda w: ["--out", ".."], ["contains the current directory"]),
    "repository root": (_repository_root, ["is the repository root"]),
    "template folder": (_template_folder, ["is the templates folder"]),
    "inside the template folder": (_inside_the_template_folder, ["lies inside the templates folder"]),
    "templates beside the repository": (_templates_beside_the_repository, ["is the templates folder"]),
    "a non-empty folder of someone else's": (_foreign_folder, ["has no manifest.json written by mhhsarch"]),
    "another tool's manifest": (_other_tools_manifest, ["has no manifest.json written by mhhsarch"]),
    "an earlier render plus a user's file": (_earlier_render_plus_a_user_file, ["catalogue/my-annotations.txt"]),
    "an earlier render plus a symlink": (_earlier_render_plus_a_symlink, ["notes-link"]),
    "a FIFO named manifest.json": (_fifo_named_manifest, ["has no manifest.json written by mhhsarch"]),
    "a file": (lambda w: ["--out", "notes.txt"], ["is not a folder"]),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_an_output_folder_render_does_not_own_is_refused_and_left_alone(work, tmp_path, case):
    setup, words = REFUSED[case]
    args = setup(work)
    before = snapshot(tmp_path)
    result = cli(work, "render", "proj/model", *args, *CHEAP, timeout=60)
    assert_one_line_error(result, *words)
    assert snapshot(tmp_path) == before  # nothing touched: no file changed, removed or added


def test_the_home_folder_is_refused_even_when_empty(work, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = render(work, *CHEAP, out=str(home), env={"HOME": str(home)})
    assert_one_line_error(result, "is the home folder")
    assert home.is_dir() and not any(home.iterdir())


def test_a_refused_output_folder_is_reported_before_the_model_is_validated(work, tmp_path):
    (work / "proj/model/broken.yaml").write_text("roles: [\n")  # a model with errors: validation would exit 1
    before = snapshot(tmp_path)
    result = render(work, *CHEAP, out="proj/model")
    assert_one_line_error(result, "is the model folder")
    assert snapshot(tmp_path) == before


def test_render_replaces_a_missing_an_empty_and_its_own_earlier_folder(work):
    # --no-cache: clean renders both, so that even the manifest's `cache` block is the same
    assert render(work, *CHEAP, "--no-cache", out="new/site").returncode == 0
    (work / "empty").mkdir()
    assert render(work, *CHEAP, out="empty").returncode == 0
    assert json.loads((work / "empty/manifest.json").read_text())["tool"]["name"] == "mhhsarch"
    first = snapshot(work / "new/site")
    again = render(work, *CHEAP, "--no-cache", out="new/site")
    assert again.returncode == 0, again.stderr
    assert snapshot(work / "new/site") == first  # replaced by the same bytes
    assert not run_folders(work / "new", "site")


# --------------------------------------------------------------------------- class 1: a selection of nothing


@pytest.mark.parametrize(
    "args",
    [("--only", ","), ("--only", ""), ("--only", " , "), ("--only", "pdf"), ("--only", "pdf", "--pdf")],
    ids=["comma", "empty", "blanks", "pdf-without---pdf", "pdf-without-documents"],
)
def test_a_selection_of_nothing_leaves_the_previous_output(work, args):
    assert render(work, *CHEAP).returncode == 0
    before = snapshot(work)
    result = render(work, *args)
    assert_one_line_error(result)
    assert snapshot(work) == before


@pytest.mark.skipif(not shutil.which("plantuml"), reason="needs plantuml")
def test_a_render_that_plans_no_artefact_does_not_swap(work):
    """Tranche 2 has no process: the sequence renderer plans nothing."""
    assert render(work, *CHEAP).returncode == 0
    before = snapshot(work)
    result = render(work, "--only", "sequence", "--tranche", "2")
    assert result.returncode == 2
    assert "nothing to render" in result.stderr.splitlines()[-1] and "Traceback" not in result.stderr
    assert snapshot(work) == before


# --------------------------------------------------------------------------- class 11: symlinked --out, --template


def test_a_symlinked_output_folder_is_replaced_behind_its_link(work):
    (work / "shared").mkdir()
    assert render(work, *CHEAP, out="shared/site").returncode == 0
    os.symlink("shared/site", work / "site")
    catalogue = work / "shared/site/catalogue/data_catalogue.xlsx"
    catalogue.write_bytes(b"stale")  # the next render must replace it, to show it replaced the target
    result = render(work, *CHEAP, out="site")
    assert result.returncode == 0, result.stderr
    assert (work / "site").is_symlink() and os.readlink(work / "site") == "shared/site"
    assert catalogue.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt", "proj", "shared", "site"]
    # no stray link, no run folder; the render cache lives beside the real output folder
    assert sorted(p.name for p in (work / "shared").iterdir()) == [".site.mhhsarch-cache", "site"]


def test_a_symlink_to_nowhere_is_refused_and_kept(work, tmp_path):
    os.symlink("gone", work / "site")
    before = snapshot(tmp_path)
    assert_one_line_error(render(work, *CHEAP, out="site"), "symlink", "does not exist")
    assert snapshot(tmp_path) == before


def test_a_symlink_to_a_folder_of_someone_elses_is_refused(work, tmp_path):
    _foreign_folder(work)
    os.symlink("site", work / "site-link")
    before = snapshot(tmp_path)
    assert_one_line_error(render(work, *CHEAP, out="site-link"), "has no manifest.json")
    assert snapshot(tmp_path) == before


def test_template_that_is_a_file_or_missing(work):
    assert_one_line_error(render(work, *CHEAP, "--template", "notes.txt"), "'notes.txt' is not a folder")
    assert_one_line_error(render(work, *CHEAP, "--template", "no-such"), "'no-such' does not exist")


# --------------------------------------------------------------------------- class 4: SOURCE_DATE_EPOCH


@pytest.mark.parametrize(
    "value",
    ["abc", "-1", "1e9", "17e8", "\u0661\u0662\u0663", "4354819200", "99999999999999", "9" * 5000],
    ids=["word", "negative", "float", "exponent", "arabic-digits", "2108", "huge", "5000-digits"],
)
def test_an_unusable_source_date_epoch_is_a_one_line_error(work, value):
    before = snapshot(work)
    result = render(work, *CHEAP, env={"SOURCE_DATE_EPOCH": value})
    assert_one_line_error(result, "SOURCE_DATE_EPOCH")
    assert len(result.stderr) < 300
    assert snapshot(work) == before  # refused before anything was made


@pytest.mark.parametrize(
    ("value", "epoch"), [("4354819199", 4354819199), ("0", 315532800), ("", None)], ids=["2107", "1970", "empty"]
)
def test_source_date_epoch_limits(work, value, epoch):
    """The last second of 2107 is the latest date a zip holds; earlier than 1980 becomes
    1980-01-01 (the documented clamp); empty means unset."""
    result = render(work, *CHEAP, env={"SOURCE_DATE_EPOCH": value})
    assert result.returncode == 0, result.stderr
    manifest = json.loads((work / "out/manifest.json").read_text())
    if epoch is not None:
        assert manifest["source_date_epoch"] == epoch


# --------------------------------------------------------------------------- class 6: interruptions


@needs_proc
@pytest.mark.parametrize(
    ("signum", "jobs"),
    [(signal.SIGTERM, "2"), (signal.SIGTERM, "1"), (signal.SIGINT, "2"), (signal.SIGHUP, "2")],
    ids=["SIGTERM", "SIGTERM-one-job", "SIGINT", "SIGHUP"],
)
def test_a_stopped_render_leaves_the_previous_output_and_nothing_else(work, slow_plantuml, signum, jobs):
    assert render(work, *CHEAP).returncode == 0
    before = snapshot(work)
    process = start_slow_render(work, slow_plantuml, "--jobs", jobs)
    assert processes_with(slow_plantuml[TOKEN])  # the render's workers and tools are running
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 128 + signum, stderr
    assert stderr.splitlines()[-1] == f"mhhsarch: interrupted by {signum.name}; out left as it was"
    assert "Traceback" not in stderr
    assert snapshot(work) == before  # the previous output, and no run folder
    wait_for(lambda: not processes_with(slow_plantuml[TOKEN]), "the workers and their tools to be gone", 10)


@needs_proc
def test_after_sigkill_the_tools_stop_and_the_next_render_sweeps(work, slow_plantuml):
    assert render(work, *CHEAP).returncode == 0
    process = start_slow_render(work, slow_plantuml, "--jobs", "2")
    process.kill()  # cannot be caught: nothing is cleaned up by the killed process itself
    process.communicate(timeout=30)
    # the workers notice their parent is gone and take their tools down with them
    wait_for(lambda: not processes_with(slow_plantuml[TOKEN]), "the orphaned workers to stop", 10)
    assert len(run_folders(work)) == 1  # the litter the next render must sweep
    result = render(work, *CHEAP)
    assert result.returncode == 0, result.stderr
    assert not run_folders(work)


@needs_proc
def test_the_run_folder_of_a_live_render_is_not_swept(work, slow_plantuml):
    assert render(work, *CHEAP).returncode == 0
    process = start_slow_render(work, slow_plantuml, "--jobs", "1")
    try:
        live = run_folders(work)
        assert len(live) == 1
        other = render(work, *CHEAP)  # another render into the same folder meanwhile
        assert other.returncode == 0, other.stderr
        assert run_folders(work) == live and (live[0] / "lock").is_file() and (live[0] / "tree").is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM
    assert not run_folders(work)


@needs_proc
@pytest.mark.skipif(not (shutil.which("dot") and shutil.which("plantuml")), reason="needs graphviz and plantuml")
def test_libreoffice_works_inside_the_run_folder(work, tmp_path):
    """The LibreOffice profile and document copies live in the render's run folder (not
    in /tmp), so a killed --pdf render leaves nothing the next render does not sweep."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "soffice-calls"
    bin_dir.mkdir()
    calls.mkdir()
    (bin_dir / "soffice").write_text(f'#!/bin/sh\necho "$TMPDIR $*" > "{calls}/$$"\nsleep 300\n')
    (bin_dir / "soffice").chmod(0o755)
    token = uuid.uuid4().hex
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", TOKEN: token}
    process = subprocess.Popen(
        [sys.executable, "-m", "mhhsarch", "render", "proj/model", "--out", "out", "--only", "specs", "--pdf"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: any(p.stat().st_size for p in calls.iterdir()), "LibreOffice to be started", 120)
        process.kill()
        process.wait(timeout=30)
        [run] = run_folders(work)
        for call in (c for c in calls.iterdir() if c.stat().st_size):
            tmpdir, *arguments = call.read_text().split()
            assert tmpdir == str(run / "work")
            profile = next(a for a in arguments if a.startswith("-env:UserInstallation="))
            assert profile.startswith(f"-env:UserInstallation={(run / 'work').as_uri()}/mhhsarch-pdf-")
        wait_for(lambda: not processes_with(token), "LibreOffice to be stopped with its worker", 10)
    finally:
        process.kill()
        _kill_leftovers(token)
    assert render(work, *CHEAP).returncode == 0
    assert not run_folders(work)


# --------------------------------------------------------------------------- the sweep itself


def _run_folder(parent: Path, name: str, *, locked_file: bool = True, age: float = 0) -> Path:
    folder = parent / name
    (folder / "tree").mkdir(parents=True)
    if locked_file:
        (folder / "lock").write_text("12345\n")
    if age:
        stamp = time.time() - age
        os.utime(folder, (stamp, stamp))
    return folder


def test_sweep_removes_only_abandoned_run_folders_of_this_output(tmp_path):
    target = tmp_path / "out"
    stale = _run_folder(tmp_path, ".out.rendering-abc12345")  # lock file nobody holds: a killed render
    legacy = _run_folder(tmp_path, ".out.previous-old_0001", locked_file=False, age=7200)  # an older version's
    young = _run_folder(tmp_path, ".out.rendering-young001", locked_file=False)  # may be starting right now
    live = _run_folder(tmp_path, ".out.rendering-live0001")
    other_output = _run_folder(tmp_path, ".site.rendering-abc12345")
    not_a_run_name = _run_folder(tmp_path, ".out.rendering-mine", age=7200)
    (tmp_path / "elsewhere").mkdir()
    os.symlink("elsewhere", tmp_path / ".out.rendering-link0001")
    target.mkdir()  # a current output exists: the legacy previous output is not put back
    holder = os.open(live / "lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a live render holds its lock
    try:
        swept = outdir.sweep_stale_runs(target)
    finally:
        os.close(holder)
    assert sorted(swept) == sorted([stale, legacy])
    assert not stale.exists() and not legacy.exists()
    for kept in (young, live, other_output, not_a_run_name, tmp_path / ".out.rendering-link0001"):
        assert kept.exists(), kept
    assert (tmp_path / "elsewhere").is_dir()


def test_sweep_puts_back_the_previous_output_of_a_swap_cut_in_half(tmp_path):
    run = _run_folder(tmp_path, ".out.rendering-half0001")
    (run / "previous/catalogue").mkdir(parents=True)
    (run / "previous/manifest.json").write_text('{"tool": {"name": "mhhsarch"}}')
    outdir.sweep_stale_runs(tmp_path / "out")
    assert (tmp_path / "out/manifest.json").read_text() == '{"tool": {"name": "mhhsarch"}}'
    assert not run.exists()
