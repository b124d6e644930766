import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
VALID_MODEL = FIXTURES / "valid"
BAD_CASES = FIXTURES / "bad"
REPO = Path(__file__).parents[1]


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def copy_model(target: Path, *overlays: Path) -> Path:
    """The valid fixture model copied to `target`, with each overlay folder's files laid on top."""
    shutil.copytree(VALID_MODEL, target)
    for overlay in overlays:
        for path in sorted(overlay.rglob("*")):
            if path.is_file():
                destination = target / path.relative_to(overlay)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
    return target


@pytest.fixture
def valid_model(tmp_path, monkeypatch) -> Path:
    """A copy of the valid fixture model; the working directory is its parent, so
    diagnostics show `model/...` paths."""
    monkeypatch.chdir(tmp_path)
    return copy_model(tmp_path / "model")
