"""Data coherence (defect class 7): data items, valid sets and what interfaces carry."""

from collections.abc import Iterator

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding, Severity
from mhhsarch.model.entities import CLASSIFICATION_ORDER, DataItemUse


@rule("D601", "enum-valid-set-mismatch")
def enum_valid_set_mismatch(model, graph) -> Iterator[Finding]:
    """A data item of type `enum` has no `valid_set`, or a non-enum item has one.

    Why: the data catalogue lists an enum's allowed codes from its valid set; a valid
    set on a free-text item promises a restriction nothing enforces.

    Bad:
        {id: DI-010, name: Energisation Status, type: enum}
    Good:
        {id: DI-010, name: Energisation Status, type: enum, valid_set: VS-ENERGISATION-STATUS}
    """
    for item in model.data_items.values():
        if item.type == "enum" and item.valid_set is None:
            yield Finding(f"{item.id} is an enum but names no valid_set", item.span("type"), item.id)
        elif item.type != "enum" and item.valid_set is not None:
            yield Finding(
                f"{item.id} has a valid_set but its type is {item.type}, not enum",
                item.span("valid_set", key=True),
                item.id,
            )


@rule("D602", "duplicate-code")
def duplicate_code(model, graph) -> Iterator[Finding]:
    """A valid set lists the same code twice.

    Why: a code must have one meaning.

    Bad:
        values: [{code: E, meaning: Energised}, {code: E, meaning: Export}]
    Good:
        values: [{code: E, meaning: Energised}, {code: D, meaning: De-energised}]
    """
    for valid_set in model.valid_sets.values():
        first: dict[str, int] = {}
        for i, value in enumerate(valid_set.values):
            if value.code in first:
                yield Finding(
                    f"{valid_set.id}: code '{value.code}' is listed twice",
                    valid_set.span("values", i, "code"),
                    valid_set.id,
                    related=(valid_set.span("values", first[value.code], "code"),),
                )
            else:
                first[value.code] = i


@rule("D603", "data-item-repeated")
def data_item_repeated(model, graph) -> Iterator[Finding]:
    """An interface lists the same data item twice.

    Why: the specification's data table would carry one item in two rows with
    possibly different optionality. Use `repeats` for a repeating item.

    Bad:
        data_items: [{ref: DI-001}, {ref: DI-001, mandatory: false}]
    Good:
        data_items: [{ref: DI-001, repeats: "1..*"}]
    """
    for interface in model.interfaces.values():
        first: dict[str, DataItemUse] = {}
        for use in interface.data_items:
            if use.ref in first:
                yield Finding(
                    f"{interface.id} lists data item {use.ref} twice",
                    use.span("ref"),
                    interface.id,
                    related=(first[use.ref].span("ref"),),
                )
            else:
                first[use.ref] = use


@rule("D604", "classification-exceeded")
def classification_exceeded(model, graph) -> Iterator[Finding]:
    """An interface carries a data item classified above the interface's own classification.

    Why: the interface's classification sets its handling (transport security, who
    may consume it); a more sensitive item would leak through it.

    Bad:
        interface: {security: {classification: public}, data_items: [{ref: DI-050}]}   # DI-050 is confidential
    Good:
        interface: {security: {classification: confidential}, data_items: [{ref: DI-050}]}
    """
    rank = {name: i for i, name in enumerate(CLASSIFICATION_ORDER)}
    for interface in model.interfaces.values():
        if interface.classification is None:
            continue
        for use in interface.data_items:
            item = model.data_items.get(use.ref)
            if item is None or item.classification is None:
                continue
            if rank[item.classification] > rank[interface.classification]:
                yield Finding(
                    f"{interface.id} is {interface.classification} but carries {item.id} ({item.name}), "
                    f"which is {item.classification}",
                    use.span("ref"),
                    interface.id,
                )


@rule("D605", "personal-data-unmarked")
def personal_data_unmarked(model, graph) -> Iterator[Finding]:
    """An interface carries personal data but is not marked `personal_data: true`.

    Why: personal data brings GDPR obligations (access control, retention, DPIA) that
    follow from the interface's marking.

    Bad:
        interface: {security: {personal_data: false}, data_items: [{ref: DI-030}]}   # DI-030 postcode is personal
    Good:
        interface: {security: {personal_data: true}, data_items: [{ref: DI-030}]}
    """
    for interface in model.interfaces.values():
        if interface.personal_data:
            continue
        for use in interface.data_items:
            item = model.data_items.get(use.ref)
            if item is not None and item.personal_data:
                yield Finding(
                    f"{interface.id} carries personal data {item.id} ({item.name}) but is not marked personal_data: true",
                    use.span("ref"),
                    interface.id,
                )


@rule("D606", "type-detail-mismatch")
def type_detail_mismatch(model, graph) -> Iterator[Finding]:
    """A data item has a detail its type cannot have: `precision` or `scale` on an item
    that is not a decimal, a scale larger than the precision, or a `time_zone` on an
    item that is not a datetime or time.

    Why: the data catalogue and the payload schemas print these details as the item's
    contract; on the wrong type they describe a value that cannot exist.

    Bad:
        {id: DI-201, name: UTC Settlement Period, type: integer, scale: 2}
    Good:
        {id: DI-202, name: Period Consumption, type: decimal, precision: 10, scale: 3}
    """
    for item in model.data_items.values():
        if item.type != "decimal":
            for detail in ("precision", "scale"):
                if getattr(item, detail) is not None:
                    yield Finding(
                        f"{item.id} has a {detail} but its type is {item.type}; only decimals have one",
                        item.span(detail, key=True),
                        item.id,
                    )
        elif item.precision is not None and item.scale is not None and item.scale > item.precision:
            yield Finding(
                f"{item.id}: scale {item.scale} is larger than precision {item.precision} "
                "(the digits after the point are part of the precision)",
                item.span("scale"),
                item.id,
            )
        if item.time_zone is not None and item.type not in ("datetime", "time"):
            yield Finding(
                f"{item.id} has a time_zone but its type is {item.type}; only datetimes and times have one",
                item.span("time_zone", key=True),
                item.id,
            )


@rule("D607", "cardinality-range-reversed")
def cardinality_range_reversed(model, graph) -> Iterator[Finding]:
    """An interface's `repeats` range has a lower bound above its upper bound.

    Why: "50..46" allows no number of occurrences at all; the specification and the
    payload schema would contradict themselves.

    Bad:
        data_items: [{ref: DI-201, repeats: "50..46"}]
    Good:
        data_items: [{ref: DI-201, repeats: "46..50"}]
    """
    for interface in model.interfaces.values():
        for use in interface.data_items:
            bounds = use.bounds
            if bounds is not None and bounds[1] is not None and bounds[0] > bounds[1]:
                yield Finding(
                    f"{interface.id} data item {use.ref}: repeats {use.repeats!r} has its lower bound above its upper",
                    use.span("repeats"),
                    interface.id,
                )


@rule("D608", "dip-field-misplaced")
def dip_field_misplaced(model, graph) -> Iterator[Finding]:
    """A data item the DIP populates is not in the CommonBlock header, or is carried by an
    interface that does not go over the DIP.

    Why: the DIP adds only header fields, and only to the publications it delivers;
    such a field anywhere else is one that nobody fills, so every recipient would wait
    for a value that never comes.

    Bad:
        data_items: [{id: DI-014, name: Transaction ID, type: string, populated_by: dip}]   # no block: common
    Good:
        data_items: [{id: DI-014, name: Transaction ID, type: string, block: common, populated_by: dip}]
    """
    for item in model.data_items.values():
        if item.populated_by == "dip" and not item.in_header:
            yield Finding(
                f"{item.id} ({item.name}) is populated by the DIP but is not in the CommonBlock header "
                "(block: common); the DIP fills header fields only",
                item.span("populated_by", key=True),
                item.id,
            )
    for interface in model.interfaces.values():
        if interface.transport == "DIP":
            continue
        for use in interface.data_items:
            item = model.data_items.get(use.ref)
            if item is not None and item.populated_by == "dip":
                yield Finding(
                    f"{interface.id} goes over the {interface.transport}, not the DIP, but carries {item.id} "
                    f"({item.name}), which only the DIP populates",
                    use.span("ref"),
                    interface.id,
                )


# "Ad hoc" is occasional and unscheduled: on average at most this many messages a day.
# A flow sending more is a regular one (on-event, daily, ...), or its volumetrics give
# the day it happens rather than the average day.
AD_HOC_MAX_PER_DAY = 10
HALF_HOURS_A_DAY = 48


@rule("D609", "volumetrics-inconsistent", Severity.WARNING)
def volumetrics_inconsistent(model, graph) -> Iterator[Finding]:
    """An interface's frequency and volumetrics contradict each other.

    Checked: an `ad-hoc` interface averaging more than 10 messages a day; a
    `half-hourly` one with fewer than 48 a day; a peak hour carrying more messages than
    the whole day (for flows other than ad hoc, whose daily figure is an average and
    whose peak is the burst of the day it happens); a typical payload larger than the
    maximum.

    Why: implementers size their adaptors and the DIP its capacity from these figures;
    "ad hoc" with 100 messages a day tells them both that the flow is rare and that it
    is a steady stream.

    Bad:
        {frequency: ad-hoc, volumetrics: {messages_per_day: 100, peak_per_hour: 100}}
    Good:
        {frequency: ad-hoc, volumetrics: {messages_per_day: 1, peak_per_hour: 100}}
    """
    for interface in model.interfaces.values():
        volumes, frequency = interface.volumetrics, interface.frequency
        per_day, peak = volumes.messages_per_day, volumes.peak_per_hour
        problems: list[tuple[tuple[str, ...], str]] = []
        if frequency == "ad-hoc" and per_day is not None and per_day > AD_HOC_MAX_PER_DAY:
            problems.append(
                (
                    ("volumetrics", "messages_per_day"),
                    f"is ad hoc (at most {AD_HOC_MAX_PER_DAY} messages a day on average) but sends {per_day} a day; "
                    "call it on-event, or give the average day's volumes",
                )
            )
        if frequency == "half-hourly" and per_day is not None and 0 < per_day < HALF_HOURS_A_DAY:
            problems.append(
                (
                    ("volumetrics", "messages_per_day"),
                    f"is sent every half hour but only {per_day} messages a day (a half-hourly flow sends at least "
                    f"{HALF_HOURS_A_DAY})",
                )
            )
        if frequency != "ad-hoc" and per_day is not None and peak is not None and peak > per_day:
            problems.append(
                (
                    ("volumetrics", "peak_per_hour"),
                    f"has a peak of {peak} messages an hour but {per_day} in a whole day",
                )
            )
        typical, largest = volumes.payload_typical, volumes.payload_max
        if typical is not None and largest is not None and typical > largest:
            problems.append(
                (
                    ("volumetrics", "payload_bytes", "typical"),
                    f"has a typical payload of {typical} bytes, above its maximum of {largest}",
                )
            )
        for path, text in problems:
            yield Finding(f"{interface.id} {text}", interface.span(*path), interface.id)


@rule("D610", "dtc-group-unknown")
def dtc_group_unknown(model, graph) -> Iterator[Finding]:
    """An interface that is a DTC flow lists a group id twice, or one of its data items
    names no group of the flow.

    Why: the DTC flow's group structure is what a DTN recipient parses; a data item
    outside every group, or two groups with one id, cannot be written in the flow.

    Bad:
        dtc_flow: {ref: D0387, version: "001", groups: [{id: 01A, name: Event}]}
        data_items: [{ref: DI-280, group: Event}]
    Good:
        data_items: [{ref: DI-280, group: 01A}]
    """
    for interface in model.interfaces.values():
        flow = interface.dtc_flow
        if flow is None:
            continue
        seen: set[str] = set()
        for n, group in enumerate(flow.groups):
            if group.id in seen:
                yield Finding(
                    f"{interface.id}: DTC group {group.id} is listed twice in {flow.ref}",
                    interface.span("dtc_flow", "groups", n, "id"),
                    interface.id,
                )
            seen.add(group.id)
        for use in interface.data_items:
            if use.group not in seen:
                where = use.span("group") if use.group is not None else use.span("ref")
                yield Finding(
                    f"{interface.id} data item {use.ref}: group {use.group or '(none)'} is not a group of "
                    f"{flow.ref} ({', '.join(g.id for g in flow.groups)})",
                    where,
                    interface.id,
                )
