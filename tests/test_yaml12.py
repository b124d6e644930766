"""mhhsarch reads unquoted values as YAML 1.2 does, like the editor, and says so where
another common YAML reader reads one differently (Y113, with the advice to quote it).

The other readers are run for real: ruamel.yaml (a YAML 1.2 reader, set up as
check-jsonschema sets it up: dates stay text) and PyYAML (YAML 1.1). For every value
they agree with mhhsarch, or mhhsarch reports Y113 at that value.
"""

import json
import math
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML, SafeConstructor

from conftest import REPO, copy_model
from mhhsarch.source.yamlfile import read_yaml


def ruamel_reader():
    """ruamel.yaml in YAML 1.2 mode, dates kept as text (what check-jsonschema reads)."""

    class Constructor(SafeConstructor):  # its own class: the change below stays out of ruamel's global one
        pass

    reader = YAML(typ="safe")
    reader.Constructor = Constructor
    constructors = reader.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    return reader.load


class _PyYamlLoader(yaml.SafeLoader):
    """PyYAML (YAML 1.1) with dates kept as text: dates are text for mhhsarch on purpose."""


_PyYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
READ_WITH_RUAMEL = ruamel_reader()


def read_with_pyyaml(text: str):
    return yaml.load(text, Loader=_PyYamlLoader)


def same(one, other) -> bool:
    """Equal values of the same types all the way down (1, 1.0 and True differ; nan is nan)."""
    if type(one) is not type(other):
        return False
    if isinstance(one, dict):
        return list(one) == list(other) and all(same(one[k], other[k]) for k in one)
    if isinstance(one, list):
        return len(one) == len(other) and all(same(a, b) for a, b in zip(one, other))
    if isinstance(one, float) and math.isnan(one):
        return math.isnan(other)
    return one == other


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "value.yaml"


def read_with_mhhsarch(path: Path, text: str):
    path.write_text(text, encoding="utf-8")
    return read_yaml(path, "value.yaml")


def test_the_yaml_1_2_spec_core_schema_example_reads_as_the_spec_says(scratch):
    """YAML 1.2.2, example 10.9 (core schema tag resolution)."""
    source = read_with_mhhsarch(
        scratch,
        "A null: null\n"
        "Also a null: # Empty\n"
        'Not a null: ""\n'
        "Booleans: [ true, True, false, FALSE ]\n"
        "Integers: [ 0, 0o7, 0x3A, -19 ]\n"
        "Floats: [ 0., -0.0, .5, +12e03, -2E+05 ]\n"
        "Also floats: [ .inf, -.Inf, +.INF, .NAN ]\n"
        "Strings: [ yes, No, on, OFF, 2022-03-28, 1.0.0, 0b101, 1_000, 0x, 0o8 ]\n",
    )
    data = source.data
    assert data["A null"] is None and data["Also a null"] is None and data["Not a null"] == ""
    assert same(data["Booleans"], [True, True, False, False])
    assert same(data["Integers"], [0, 7, 58, -19])
    assert same(data["Floats"], [0.0, -0.0, 0.5, 12000.0, -200000.0])
    assert same(data["Also floats"][:3], [math.inf, -math.inf, math.inf]) and math.isnan(data["Also floats"][3])
    assert same(data["Strings"], ["yes", "No", "on", "OFF", "2022-03-28", "1.0.0", "0b101", "1_000", "0x", "0o8"])
    assert same(data, READ_WITH_RUAMEL(scratch.read_text()) | {"Strings": data["Strings"]})


SPECIAL = [".inf", "-.Inf", ".NaN", "+.5", "-.5", "1.", "1e3", ".5e3", "1.5e+3", "12:30", "1:30.5", "0o17", "-0x1F"]
SPECIAL += ["+0o7", "0b101", "0b_", "1_000", "1_", "-_", "08", "012", "0123", "00", "-0", "+12", "1" * 5000]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.sampled_from(SPECIAL),
        st.text(alphabet="0123456789_-+.:eExXoObBaAfF", min_size=1, max_size=9),
        st.text(alphabet=string.ascii_letters + string.digits + ".-+~", min_size=1, max_size=6),
    )
)
@example(text="tranche")
def test_every_plain_value_reads_as_ruamel_and_pyyaml_read_it_or_is_reported(scratch, text):
    document = f"value: {text}\n"
    try:
        node = yaml.compose(document, Loader=yaml.SafeLoader).value[0][1]
    except yaml.YAMLError:
        assume(False)
    assume(isinstance(node, yaml.ScalarNode) and node.style is None and node.value == text)  # a plain scalar

    source = read_with_mhhsarch(scratch, document)
    reported = [f.message for code, f in source.problems if code == "Y113"]
    assert [code for code, _ in source.problems if code != "Y113"] == []
    value = source.data["value"]

    try:
        ruamel_value = READ_WITH_RUAMEL(document)["value"]
    except Exception:  # ruamel.yaml fails on some number-like text (`-_`): that is a difference too
        ruamel_value = object()
    assert same(value, ruamel_value) or reported, f"{text!r}: mhhsarch {value!r}, ruamel.yaml {ruamel_value!r}"

    if text[0] in "0123456789-+.":  # Y113 is about numbers; YAML 1.1's yes/no/on/off are text on purpose
        try:
            pyyaml_value = read_with_pyyaml(document)["value"]
        except Exception:
            pyyaml_value = object()
        assert same(value, pyyaml_value) or reported, f"{text!r}: mhhsarch {value!r}, PyYAML {pyyaml_value!r}"

    if reported:  # and a report is never a false alarm
        assert not (same(value, ruamel_value) and same(value, read_with_pyyaml(document)["value"])), text
        assert "quote it" in reported[0]


def test_every_shipped_model_file_reads_the_same_in_mhhsarch_ruamel_and_pyyaml():
    files = sorted((REPO / "model").rglob("*.yaml"))
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours = read_yaml(path, path.name)
        assert ours.problems == [], path
        assert same(ours.data, READ_WITH_RUAMEL(text)), f"{path}: ruamel.yaml reads it differently"
        assert same(ours.data, read_with_pyyaml(text)), f"{path}: PyYAML reads it differently"


def test_the_issue_examples_through_the_cli(tmp_path):
    """`tranche: 02` is the number 2 for mhhsarch, as for the editor and ruamel.yaml (no error);
    `name: 0123` is the number 123 for all of them: a located error that says to quote it."""
    model = copy_model(tmp_path / "model")
    interface = model / "interfaces" / "IF-018.yaml"
    interface.write_text(interface.read_text().replace("tranche: 1", "tranche: 02"))
    process = model / "processes" / "BP005.yaml"  # uses IF-018: tranche 2 too, or T701 says it is too late
    process.write_text(process.read_text().replace("tranche: 1", "tranche: 2"))
    market = model / "market.yaml"
    market.write_text(market.read_text().replace("name: Supplier", "name: 0123"))
    assert READ_WITH_RUAMEL(interface.read_text())["interface"]["tranche"] == 2
    assert READ_WITH_RUAMEL(market.read_text())["roles"][0]["name"] == 123

    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "validate", "model", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["diagnostics"]
    assert [(d["code"], d["file"]) for d in found if d["severity"] == "error"] == [("S202", "model/market.yaml")]
    error = next(d for d in found if d["code"] == "S202")
    line = market.read_text().splitlines()[error["line"] - 1]
    assert line[error["column"] - 1 :].startswith("0123")
    assert 'quote it: "0123"' in error["message"]
    # and PyYAML reads 0123 as octal 83: that is reported too, at the same place
    assert any(d["code"] == "Y113" and d["line"] == error["line"] for d in found)
