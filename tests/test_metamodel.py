"""The wave-2 metamodel (issue 11): what the new fields mean and what validation says
about them, on the valid fixture with one file changed. The rules' own broken
fixtures (tests/fixtures/bad/) check where each finding is; these check what it says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import copy_model
from mhhsarch.pipeline import check_model

BP005 = """
process:
  id: BP005
  name: Data Processing
  tranche: 1
  status: approved
  participants: [SDS, MDS, SUP, REGS]
  steps:
{steps}
"""


def findings(model: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in check_model(model).diagnostics]


def with_steps(tmp_path: Path, steps: str) -> Path:
    model = copy_model(tmp_path / "model")
    (model / "processes/BP005.yaml").write_text(BP005.format(steps=steps), encoding="utf-8")
    return model


def test_the_old_sender_field_is_one_error_saying_what_to_write(tmp_path):
    model = copy_model(tmp_path / "model")
    path = model / "interfaces/IF-018.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("senders: [REGS]", "sender: REGS"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "validate", "model"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "error: IF-018: `sender` was replaced by `senders`" in result.stdout
    assert "write `senders: [REGS]`" in result.stdout
    assert "senders` is missing" not in result.stdout  # one error, not two
    assert "Found 1 error" in result.stdout


def test_originator_must_be_among_the_recipients(tmp_path):
    steps = """
    - {id: 1, name: Send consumption, actor: SDS, interface: IF-021, to: [MDS]}
    - {id: 2, name: Send consumption, actor: SDS, interface: IF-021, to: [SUP]}
    - {id: 3, name: Tell the supplier, actor: SUP, interface: IF-021, to: [MDS], audience: originator}
"""
    found = findings(with_steps(tmp_path, steps))  # SUP is not a sender of IF-021 either (P402)
    assert (
        "P406",
        "BP005 step 3: goes back to the originator SDS (step 2), which is not among its recipients (MDS)",
    ) in found


def test_originator_answers_the_nearest_message_to_the_actor(tmp_path):
    steps = """
    - {id: 1, name: Send consumption, actor: SDS, interface: IF-021, to: [MDS]}
    - {id: 2, name: Tell the data service, actor: REGS, interface: IF-018, to: [SDS]}
    - {id: 3, name: Send again, actor: SDS, interface: IF-021, to: [SUP], audience: originator}
"""
    model = with_steps(tmp_path, steps)
    checked = check_model(model)
    # step 3 answers step 2 (REGS told SDS), and REGS is not a recipient of step 3
    assert [d.code for d in checked.diagnostics] == ["P406"]
    process = checked.model.processes["BP005"]
    assert checked.model.answered_step(process, process.steps[2]).id == 2
    assert checked.model.answered_step(process, process.steps[0]) is None


def test_audience_outside_its_enumeration_is_a_schema_error(tmp_path):
    steps = """
    - {id: 1, name: Send consumption, actor: SDS, interface: IF-021, audience: everyone}
    - {id: 2, name: Notify supplier, actor: REGS, interface: IF-018, to: [SUP]}
"""
    found = findings(with_steps(tmp_path, steps))
    assert any(code == "S204" and "allowed: all, appointed, originator" in message for code, message in found)


def with_uses(tmp_path: Path, uses: str) -> Path:
    model = copy_model(tmp_path / "model")
    path = model / "interfaces/IF-018.yaml"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("  data_items:")]
    path.write_text(head + "  data_items:\n" + uses, encoding="utf-8")
    return model


def test_conditional_items_need_their_condition(tmp_path):
    uses = """    - {ref: DI-001}
    - {ref: DI-003, mandatory: conditional}
    - {ref: DI-004, mandatory: true, condition: when the address changed}
"""
    found = findings(with_uses(tmp_path, uses))
    assert ("S201", "IF-018 field `data_items[1]`: required field `condition` is missing") in found
    assert (
        "S204",
        "IF-018 field `data_items[2].mandatory` is true; it must be 'conditional' (an item with a `condition` is "
        "conditional)",
    ) in found


def test_a_condition_alone_makes_an_item_conditional_and_counts_may_be_exact_or_ranges(tmp_path):
    uses = """    - {ref: DI-001, repeats: 48}
    - {ref: DI-003, repeats: "46..50"}
    - {ref: DI-004, condition: when the address changed, repeats: "0..48"}
"""
    checked = check_model(with_uses(tmp_path, uses))
    assert checked.diagnostics == []
    uses = checked.model.interfaces["IF-018"].data_items
    assert [(u.obligation, u.repeats, u.bounds) for u in uses] == [
        ("M", "48", (48, 48)),
        ("M", "46..50", (46, 50)),
        ("C", "0..48", (0, 48)),
    ]


def test_repeats_that_is_no_count_is_a_schema_error(tmp_path):
    found = findings(
        with_uses(tmp_path, '    - {ref: DI-001, repeats: "many"}\n    - {ref: DI-003}\n    - {ref: DI-004}\n')
    )
    assert found == [
        (
            "S205",
            "IF-018 field `data_items[0].repeats`: 'many' is not a count or range of occurrences "
            "(1, 48, 0..1, 1..* or 46..50)",
        )
    ]


def with_interface_fields(tmp_path: Path, fields: str) -> Path:
    model = copy_model(tmp_path / "model")
    path = model / "interfaces/IF-018.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  data_items:", fields + "  data_items:", 1), encoding="utf-8")
    return model


def test_a_dtc_flow_stays_on_the_dtn(tmp_path):
    fields = '  dtc_flow: {ref: D0150, version: "001", groups: [{id: 01A, name: Metering Point}]}\n'
    found = findings(with_interface_fields(tmp_path, fields))
    assert (
        "S204",
        "IF-018 field `transport` is 'DIP'; it must be 'DTN' (an interface with a `dtc_flow` is a DTC flow kept on "
        "the DTN: no facsimiles of DTC flows on the DIP)",
    ) in found


def test_volumetrics_that_contradict_the_frequency_are_warned_about(tmp_path):
    fields = "  frequency: half-hourly\n  volumetrics: {messages_per_day: 24, peak_per_hour: 30}\n"
    found = findings(with_interface_fields(tmp_path, fields))
    assert found == [
        ("D609", "IF-018 is sent every half hour but only 24 messages a day (a half-hourly flow sends at least 48)"),
        ("D609", "IF-018 has a peak of 30 messages an hour but 24 in a whole day"),
    ]
    # ad hoc: the day's figure is an average, its peak the burst of the day it happens
    fields = "  frequency: ad-hoc\n  volumetrics: {messages_per_day: 1, peak_per_hour: 100}\n"
    assert findings(with_interface_fields(tmp_path / "again", fields)) == []


def with_tranches(tmp_path: Path, text: str) -> Path:
    model = copy_model(tmp_path / "model")
    (model / "tranches.yaml").write_text(text, encoding="utf-8")
    return model


def test_a_tranche_has_review_rounds_and_each_document_shows_its_own(tmp_path):
    from mhhsarch.render.views.common import review_rounds

    checked = check_model(copy_model(tmp_path / "model"))
    assert checked.diagnostics == []
    tranche = checked.model.tranches[1]
    assert [(r.round, r.start, r.end) for r in tranche.reviews] == [
        (1, "2022-02-14", "2022-02-25"),
        (2, "2022-03-28", "2022-04-08"),
    ]
    # round 2 reviewed BP005 and IF-021 only: IF-018 was reviewed in round 1
    assert review_rounds([r for r in tranche.reviews if r.covers("IF-021")]) == (
        "Round 1: 2022-02-14 to 2022-02-25; round 2: 2022-03-28 to 2022-04-08"
    )
    assert review_rounds([r for r in tranche.reviews if r.covers("IF-018")]) == "2022-02-14 to 2022-02-25"
    assert ("tranche", 1) in [n for n in checked.graph.referrers(("interface", "IF-021"), "reviews")]


def test_the_older_single_review_window_still_loads_as_round_1(tmp_path):
    text = "tranches:\n  - {id: 1, name: T1, review_start: 2022-03-28, review_end: 2022-04-08}\n  - {id: 2, name: T2}\n"
    checked = check_model(with_tranches(tmp_path, text))
    assert checked.diagnostics == []
    assert checked.model.tranches[1].reviews[0].round == 1
    assert checked.model.tranches[1].reviews[0].end == "2022-04-08"


def test_old_and_new_review_fields_together_are_refused(tmp_path):
    text = (
        "tranches:\n  - id: 1\n    name: T1\n    review_start: 2022-03-28\n"
        "    reviews: [{round: 1, start: 2022-03-28}]\n  - {id: 2, name: T2}\n"
    )
    found = findings(with_tranches(tmp_path, text))
    assert found == [
        (
            "S203",
            "1 field `review_start`: `review_start` is the older form of `reviews`; give one of them, not both "
            "(write the dates in `reviews`)",
        )
    ]


def test_a_review_round_naming_a_missing_interface_is_a_dangling_reference(tmp_path):
    rounds = "[{round: 1, start: 2022-03-28, artefacts: [IF-999, BRS007, METH005, IF-021]}]"
    text = f"tranches:\n  - id: 1\n    name: T1\n    reviews: {rounds}\n"
    text += "  - {id: 2, name: T2}\n"
    found = findings(with_tranches(tmp_path, text))
    # BRS007 is registered (artefacts.yaml); METH005 is a registered artefact's id that is not
    assert found == [
        ("R302", "1 references interface 'IF-999', which is not defined"),
        ("R302", "1 references registered artefact 'METH005', which is not defined"),
    ]
