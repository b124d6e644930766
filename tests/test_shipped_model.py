"""The shipped model (model/) says what the programme's design says, and its documents
say it too: each test reads back a Word document (python-docx) or a diagram view built
from the real model, for a defect a reviewer of a tranche found (issue 11).

The documents are written straight from their views with the bundled templates (no
diagrams: the documents then say where the diagrams are published), which keeps this
module quick; tests/test_documents.py covers the whole render.
"""

from __future__ import annotations

import re

import pytest
from docx import Document

from conftest import REPO
from mhhsarch.pipeline import check_model
from mhhsarch.render.templates import BUNDLED
from mhhsarch.render.views.diagrams import context_view, market_view, sequence_view
from mhhsarch.render.views.interface_spec import interface_spec_view
from mhhsarch.render.views.process import process_view
from mhhsarch.render.writers.docx import load_docx_template, write_docx

EPOCH = 1700000000


@pytest.fixture(scope="module")
def shipped():
    checked = check_model(REPO / "model")
    assert checked.diagnostics == [], [f"{d.code} {d.span}: {d.message}" for d in checked.diagnostics]
    return checked


@pytest.fixture(scope="module")
def documents(shipped, tmp_path_factory):
    """`documents("IF-021")` or `documents("BP002")`: that document, written once, opened."""
    out = tmp_path_factory.mktemp("shipped")
    templates = {
        "interface": load_docx_template(BUNDLED / "interface_spec.docx"),
        "process": load_docx_template(BUNDLED / "process_description.docx"),
    }
    opened: dict[str, object] = {}

    def document(entity_id: str):
        if entity_id not in opened:
            model, graph = shipped.model, shipped.graph
            if entity_id.startswith("BP"):
                view = process_view(model, model.processes[entity_id], EPOCH)
                template = templates["process"]
            else:
                view = interface_spec_view(model, graph, model.interfaces[entity_id], EPOCH)
                template = templates["interface"]
            target = out / f"{entity_id}.docx"
            write_docx(view, template, out, target, EPOCH)
            opened[entity_id] = Document(str(target))
        return opened[entity_id]

    return document


def _words(element) -> str:
    """The text of an element as Word shows it: its w:t text, a non-breaking hyphen as '-'."""
    return "".join(
        node.text or "" if node.tag.endswith("}t") else "-" for node in element.iter("{*}t", "{*}noBreakHyphen")
    )


def section_text(doc, heading: str) -> str:
    """The paragraphs and tables under a heading (numbered or not), to the next heading of its level."""
    body = doc.element.body
    texts, inside, level = [], False, None
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            style = child.xpath("string(./w:pPr/w:pStyle/@w:val)")
            text = _words(child)
            if style.startswith("Heading"):
                if inside and int(style[-1]) <= level:
                    break
                if re.sub(r"^[0-9.]+\s+", "", text) == heading:
                    inside, level = True, int(style[-1])
                    continue
            if inside:
                texts.append(text)
        elif tag == "tbl" and inside:
            for row in child.xpath(".//w:tr"):
                texts.append(" | ".join(_words(cell) for cell in row.xpath("./w:tc")))
    assert inside, f"no heading {heading!r}"
    return "\n".join(texts)


def table_with_header(doc, *titles: str):
    for table in doc.tables:
        if [c.text for c in table.rows[0].cells][: len(titles)] == list(titles):
            return table
    raise AssertionError(f"no table headed {titles}")


def rows_of(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


# --- 1. every sender ------------------------------------------------------------------------


def test_if021_names_every_data_service_as_sender_and_publisher(documents):
    doc = documents("IF-021")
    parties = section_text(doc, "Sender and receivers")
    assert (
        "Smart Data Service (SDS), Advanced Data Service (ADS) and Unmetered Supplies Data Service (UMSDS) "
        "each send this interface" in parties
    )
    senders = [row[2] for row in rows_of(table_with_header(doc, "Direction", "Role", "Code")) if row[0] == "Sender"]
    assert senders == ["SDS", "ADS", "UMSDS"]
    security = section_text(doc, "Security")
    publish = next(line for line in security.splitlines() if line.startswith("May publish"))
    for role in ("(SDS)", "(ADS)", "(UMSDS)"):
        assert role in publish


def test_if034_is_sent_by_every_service_that_can_be_appointed(shipped):
    assert shipped.model.interfaces["IF-034"].senders == ("SDS", "ADS", "UMSDS", "SMS", "AMS")
    assert not any(
        key == "x-also_sent_by" for interface in shipped.model.interfaces.values() for key, _ in interface.extras
    )


def test_bp002_step_7_sends_if034(documents, shipped):
    step = next(s for s in shipped.model.processes["BP002"].steps if s.id == 7)
    assert (step.actor, step.interface) == ("SMS", "IF-034")
    rows = rows_of(table_with_header(documents("BP002"), "No.", "Actor", "Action", "Interface"))
    seventh = next(row for row in rows if row[0] == "7")
    assert "IF-034" in seventh[3] and "Smart Metering Service (SMS)" in seventh[1]
    messages = sequence_view(shipped.model, shipped.model.processes["BP002"]).messages()
    assert [(m.sender, m.receiver) for m in messages if m.step == 7] == [("SMS", "REGS")]


def test_ads_sends_in_its_context_diagram_and_ads_and_umsds_send_in_the_market(shipped):
    model = shipped.model
    interfaces = [i for i in model.interfaces.values() if i.status != "withdrawn"]
    ads = context_view(model, model.roles["ADS"], interfaces)
    assert {("ADS", "MDS"), ("ADS", "SUP"), ("ADS", "LDSO")} <= {(e.sender, e.receiver) for e in ads.edges}
    assert any("IF-021" in e.interfaces for e in ads.edges if e.sender == "ADS")
    market = market_view(model, interfaces, "market")
    senders = {e.sender for e in market.edges}
    assert {"ADS", "UMSDS"} <= senders
    assert any("IF-021" in e.interfaces for e in market.edges if (e.sender, e.receiver) == ("UMSDS", "MDS"))


# --- 2. who among the recipients gets a message --------------------------------------------


def test_if014_in_bp005_goes_back_to_the_submitter(documents, shipped):
    model = shipped.model
    process = model.processes["BP005"]
    # the sequence diagram draws one arrow, to the data service that submitted at step 4
    rejection = [m for m in sequence_view(model, process).messages() if m.interface == "IF-014"]
    assert [(m.sender, m.receiver) for m in rejection] == [("MDS", "SDS")]
    assert rejection[0].label.endswith("(to the originator)")
    # the process description says so under the recipients of step 6
    rows = rows_of(table_with_header(documents("BP005"), "No.", "Actor", "Action", "Interface", "Recipients"))
    sixth = next(row for row in rows if row[0] == "6")
    assert "IF-014" in sixth[3]
    assert "Only the originator: the sender of the step 4 message (IF-021) it answers" in sixth[4]
    # and so does the where-used table of IF-014's specification
    where = rows_of(table_with_header(documents("IF-014"), "Process", "Step", "Step name", "From", "To"))
    bp005 = next(row for row in where if row[0].startswith("BP005"))
    assert bp005[1] == "6" and "Only the originator" in bp005[4]


def test_if001_in_bp001_goes_to_the_parties_appointed_to_the_metering_point(documents, shipped):
    model = shipped.model
    messages = [m for m in sequence_view(model, model.processes["BP001"]).messages() if m.interface == "IF-001"]
    assert [m.receiver for m in messages] == ["SUP", "SDS", "ADS", "UMSDS", "SMS", "AMS"]
    assert messages[0].label.endswith("(to those appointed)")
    rows = rows_of(table_with_header(documents("BP001"), "No.", "Actor", "Action", "Interface", "Recipients"))
    fourth = next(row for row in rows if row[0] == "4")
    assert "IF-001" in fourth[3] and "Only those appointed to the metering point" in fourth[4]


# --- 3. what the sender submits and what the DIP delivers -------------------------------------

DIP_FILLED = {"DI-014": "Transaction ID", "DI-015": "Transaction Timestamp", "DI-016": "Publication ID"}
DIP_FILLED["DI-018"] = "Replay Indicator"


def test_dip_filled_header_fields_are_not_mandatory_for_the_sender_of_if021(documents):
    doc = documents("IF-021")
    header = table_with_header(doc, "ID", "Name", "Type", "Length / format", "Group", "Filled by")
    titles = [cell.text for cell in header.rows[0].cells]
    assert titles[6:8] == ["In IF-021", "In PUB-021"]  # the message submitted, the publication delivered
    rows = {row[0]: row for row in rows_of(header)}
    assert len(rows) == 22  # the CommonBlock header, once
    for item_id, name in DIP_FILLED.items():
        row = rows[item_id]
        assert name in row[1]
        assert (row[5], row[6], row[7]) == ("DIP", "-", "M"), row  # not in the sender's message
    assert (rows["DI-005"][5], rows["DI-005"][6]) == ("Sender", "M")  # Sender Unique Reference
    # the payload table no longer repeats the header
    payload = table_with_header(doc, "ID", "Name", "Type", "Length / format", "M/O")
    assert [row[0] for row in rows_of(payload)] == ["DI-200", "DI-150", "DI-204", "DI-201", "DI-202", "DI-203"]
    assert "Appendix B" in section_text(doc, "Data items")


def test_only_the_d0_group_is_populated_by_the_dip(shipped):
    items = shipped.model.data_items
    assert {i.id for i in items.values() if i.populated_by == "dip"} == {f"DI-{n:03d}" for n in range(14, 20)}
    assert {i.id for i in items.values() if i.in_header} == {f"DI-{n:03d}" for n in range(1, 23)}


# --- 4. data item precision -----------------------------------------------------------------


def test_if021_payload_says_exactly_48_periods_decimal_precision_and_iso_dates(documents):
    doc = documents("IF-021")
    payload = {row[0]: row for row in rows_of(table_with_header(doc, "ID", "Name", "Type", "Length / format", "M/O"))}
    for period_item in ("DI-201", "DI-202", "DI-203"):  # UTC half-hours: 48 every day, no clock change
        assert payload[period_item][5] == "Exactly 48", payload[period_item]
    assert "10 digits, 3 after the point" in payload["DI-202"][3] and "unit kWh" in payload["DI-202"][3]
    assert "ISO 8601 date YYYY-MM-DD" in payload["DI-200"][3]
    header = {row[0]: row for row in rows_of(table_with_header(doc, "ID", "Name", "Type", "Length / format", "Group"))}
    assert "ISO 8601 date-time in UTC YYYY-MM-DDThh:mm:ssZ" in header["DI-006"][3]  # Sender Timestamp


def test_a_conditional_item_is_c_with_its_condition(documents):
    doc = documents("IF-034")
    payload = {row[0]: row for row in rows_of(table_with_header(doc, "ID", "Name", "Type", "Length / format", "M/O"))}
    reason = payload["DI-111"]
    assert reason[4] == "C"
    assert "Condition: when Response Code is R (rejected)" in reason[1]
    assert payload["DI-110"][4] == "M"
    assert "1 conditional" in section_text(doc, "Data items")


def test_every_decimal_of_the_shipped_catalogue_has_precision_and_scale(shipped):
    decimals = [i for i in shipped.model.data_items.values() if i.type == "decimal"]
    assert decimals and all(i.precision and i.scale is not None and i.scale <= i.precision for i in decimals)


# --- 7. personal data -----------------------------------------------------------------------

CONSUMPTION_PER_METERING_POINT = ("DI-180", "DI-202", "DI-206", "DI-285", "DI-315")


def test_if021_says_it_carries_personal_data(documents):
    security = section_text(documents("IF-021"), "Security")
    assert "Carries personal data | Yes" in security
    assert "DI-202 Period Consumption" in security


def test_consumption_of_a_metering_point_is_personal_wherever_it_goes(shipped):
    model = shipped.model
    for item_id in CONSUMPTION_PER_METERING_POINT:
        assert model.data_items[item_id].personal_data, item_id
    carrying = [
        i for i in model.interfaces.values() if any(u.ref in CONSUMPTION_PER_METERING_POINT for u in i.data_items)
    ]
    assert {i.id for i in carrying} >= {"IF-021", "IF-013", "IF-041"}
    assert all(i.personal_data for i in carrying), [i.id for i in carrying if not i.personal_data]  # D605 holds


# --- 10. DTN flows --------------------------------------------------------------------------


def test_if387_is_dtc_flow_d0387_with_its_group_structure(shipped):
    model = shipped.model
    interface = model.interfaces["IF-387"]
    view = interface_spec_view(model, shipped.graph, interface, EPOCH)
    assert view.dtc_flow is not None
    assert (view.dtc_flow.ref, view.dtc_flow.version, view.dtc_flow.title) == ("D0387", "001", "D0387 version 001")
    assert [(g.id, g.level, g.repeats) for g in view.dtc_flow.groups] == [
        ("01A", 1, "Once"),
        ("02A", 2, "One or more"),
        ("03A", 3, "One or more"),
        ("04A", 4, "1 to 48"),
    ]
    assert view.dtc_flow.groups[3].items == ("DI-201 UTC Settlement Period", "DI-285 Disconnected Volume")
    assert [row.group for row in view.data_items][:2] == ["01A Demand Control Event", "02A Metering System"]
    assert interface_spec_view(model, shipped.graph, model.interfaces["IF-021"], EPOCH).dtc_flow is None


def test_ad_hoc_flows_send_no_steady_stream(shipped):
    for interface in shipped.model.interfaces.values():
        if interface.frequency == "ad-hoc":
            assert (interface.volumetrics.messages_per_day or 0) <= 10, interface.id  # D609's threshold


# --- fidelity to the reference facts ---------------------------------------------------------

TRANCHE_1_PROCESSES = {"BP004", "BP005", "BP006", "BP007", "BP008", "BP009", "BP010", "BP018"}
TRANCHE_1_INTERFACES = {"IF-005", "IF-006", "IF-007", "IF-008", "IF-009", "IF-018", "IF-021", "IF-022", "IF-023"}
TRANCHE_1_INTERFACES |= {"IF-024", "IF-025", "IF-026", "IF-041"}


def test_principles_keep_every_part_of_their_meaning(shipped):
    principles = shipped.model.principles
    assert "any aspect of any service" in principles["DP-02"].text
    assert "a preference weighed for each process, not a rule" in " ".join(principles["DP-05"].text.split())
    assert "deliver the same level of service for the same MHHS service" in " ".join(principles["DP-15"].text.split())
    assert {p.scope for p in principles.values()} == {"System wide", "DIP"}


def test_tranches_have_their_review_rounds(shipped):
    tranches = shipped.model.tranches
    first, second = tranches[1].reviews
    assert (second.round, second.start, second.end) == (2, "2022-03-28", "2022-04-08")
    assert first.round == 1 and first.end < second.start
    assert "IF-024" in first.artefacts and "IF-024" not in second.artefacts  # withdrawn pending further work
    assert {"BRS007", "METH005"} <= set(second.artefacts)
    assert (tranches[2].reviews[0].round, tranches[2].reviews[0].start) == (1, "2022-04-04")


def test_tranche_1_holds_exactly_its_reviewed_artefacts(shipped):
    model = shipped.model
    assert {p.id for p in model.processes.values() if p.tranche == 1} == TRANCHE_1_PROCESSES
    assert {i.id for i in model.interfaces.values() if i.tranche == 1} == TRANCHE_1_INTERFACES
    reviewed = set(model.tranches[1].reviews[0].artefacts)
    assert reviewed == TRANCHE_1_PROCESSES | TRANCHE_1_INTERFACES | {"BRS007", "METH005"}


def test_full_process_names(shipped):
    names = {p.id: p.name for p in shipped.model.processes.values()}
    assert names["BP012"] == "Investigate Inconsistencies / Exceptions"
    assert names["BP019"] == "Market-wide Data Service (ECS)"
    assert names["BP020"] == "Volume Allocation Service (ECS)"


def test_document_control_shows_the_rounds_that_reviewed_the_document(documents):
    control = section_text(documents("IF-021"), "Document information")
    assert "Review rounds | Round 1: 2022-02-07 to 2022-02-18; round 2: 2022-03-28 to 2022-04-08" in control
    control = section_text(documents("IF-024"), "Document information")
    assert "Review period | 2022-02-07 to 2022-02-18" in control  # withdrawn before round 2
