"""Hostile files through the real command line, in a subprocess: each gives a located
diagnostic naming the file and exit status 1; never a traceback, never a crash (a
segmentation fault in libyaml would show here as a negative return code)."""

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_model
from mhhsarch.source.yamlfile import MAX_FILE_BYTES, read_yaml

ALIAS_BOMB = (
    "\n".join(
        [
            "data_items:",
            "  - id: DI-900",
            "    name: Bomb",
            "    type: string",
            '    x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ]
        + [
            f"    x-{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
            for i in range(8)
        ]
    )
    + "\n"
)

HOSTILE = {
    "alias-bomb": (ALIAS_BOMB.encode(), "Y107"),
    "latin-1": ("roles:\n  - id: SUP\n    name: Fournisseur d'énergie\n".encode("latin-1"), "Y105"),
    "binary-junk": (bytes(range(256)) * 4, "Y105"),
    "top-level-list": (b"- id: SUP\n  name: Supplier\n", "Y104"),
    "bare-scalar": (b"just some words\n", "Y104"),
    "tab-indent": (b"roles:\n\t- id: SUP\n\t  name: Supplier\n", "Y101"),
    "nested-brackets": (b"x-deep: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "Y107"),
    "nested-dashes": (b"roles:\n" + b"- " * 50_000 + b"x\n", "Y107"),
    "python-tag": (b"roles:\n  - !!python/object/apply:os.system ['echo pwned']\n", "Y106"),
    "path-traversal-id": (
        b"interface:\n  id: ../../etc/passwd\n  name: Evil\n  senders: [SUP]\n  receivers: [REGS]\n  transport: DTN\n  data_items: []\n",
        "S205",
    ),
    "recursive-alias": (b"roles:\n  - &r {id: SUP, name: S, category: supplier, x-self: *r}\n", "Y1"),
    "nul-byte": (b"roles:\n  - id: SUP\x00\n", "Y105"),
    "not-a-mapping-entity": (b"roles:\n  - just a string\n", "S202"),
}


def run_validate(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", "validate", "model", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def hostile_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    copy_model(root / "model")
    for name, (content, _code) in HOSTILE.items():
        (root / "model" / f"{name}.yaml").write_bytes(content)
    return root


@pytest.fixture(scope="module")
def hostile_run(hostile_model):
    return run_validate(hostile_model, "--format", "json")


def test_hostile_files_exit_1_without_traceback(hostile_run):
    assert hostile_run.returncode == 1, hostile_run.stderr
    assert "Traceback" not in hostile_run.stderr + hostile_run.stdout


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_named_with_its_code(name, hostile_run):
    import json

    code = HOSTILE[name][1]
    found = [d for d in json.loads(hostile_run.stdout)["diagnostics"] if d["file"] == f"model/{name}.yaml"]
    assert found, f"no diagnostic for {name}"
    assert any(d["code"].startswith(code) for d in found), [(d["code"], d["message"]) for d in found]
    assert all(d["line"] >= 1 and d["column"] >= 1 for d in found)


def test_hostile_files_in_text_format(hostile_model):
    done = run_validate(hostile_model)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    for name in HOSTILE:
        assert f"model/{name}.yaml:" in done.stdout


def test_huge_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.write(b"roles:\n")
        handle.write(b"  # padding\n" * (MAX_FILE_BYTES // 12 + 10))
    result = read_yaml(path, "huge.yaml")
    assert [code for code, _ in result.problems] == ["Y108"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        alphabet=st.sampled_from(list("ab-:[]{}&*!|>'\"#%@`,? \t\n\\0.") + ["\u00e9", "\x00", "\ufeff", "\x85"]),
        max_size=200,
    )
)
def test_arbitrary_yamlish_text_never_raises(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = read_yaml(path, "fuzz.yaml")
    for code, finding in result.problems:
        assert code.startswith("Y") and finding.span.line >= 1 and finding.span.column >= 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(tmp_path, data):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    read_yaml(path, "fuzz.yaml")


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from(["SUP", "REGS", "IF-018", "DI-001", "BP005", "", "x"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "senders",
                    "receivers",
                    "steps",
                    "actor",
                    "interface",
                    "to",
                    "data_items",
                    "ref",
                    "values",
                    "code",
                    "parent",
                    "type",
                    "x-n",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["roles", "process", "interfaces", "data_items", "valid_sets", "capabilities", "comments"]), _values
)
def test_arbitrary_structures_never_raise_from_validation(tmp_path_factory, key, value):
    import yaml

    from mhhsarch.pipeline import check_model

    root = tmp_path_factory.mktemp("structure")
    model = copy_model(root / "model")
    (model / "fuzz.yaml").write_text(yaml.safe_dump({key: value}), encoding="utf-8")
    check_model(model)
