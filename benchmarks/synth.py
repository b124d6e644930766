"""Synthetic MHHS model generator for benchmarks and tests.

`generate(out_dir, scale, seed)` writes a model folder laid out like the real one
(DESIGN.md section 1) whose size is `scale` times the real design. Every "unit" of
scale is a self-contained copy of the design: its own 18 roles, 10 services,
30 capabilities, 26 processes, 60 interfaces, 400 data items, 30 valid sets and
12 logical entities, all referring only to each other. Segments, principles and
tranches are shared and do not multiply.

The model is clean by construction (no error and no warning from
`mhhsarch validate`) for any seed and scale: see the comments in `_build_unit`.
Output is deterministic for a given (scale, seed).

Limit: data item ids are `DI-\\d{3,4}`, so at most 9,999 data items: scale <= 24.

Run:  python benchmarks/synth.py OUT_DIR --scale 10 --seed 0
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

from mhhsarch.source.scalars import NUMBER_START, core_number

MAX_SCALE = 24  # 24 units x 400 data items = 9,600 <= 9,999 (DI-001 .. DI-9999)

PROCESSES_PER_UNIT = 26
INTERFACES_PER_UNIT = 60
DATA_ITEMS_PER_UNIT = 400
DATA_ITEMS_PER_FILE = 100

CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"]  # ordered

# --------------------------------------------------------------------------- #
# Reference vocabulary (from shared/reference/mhhs_facts.md, plus plausible filler)
# --------------------------------------------------------------------------- #

SEGMENTS = [("SMART", "Smart"), ("ADVANCED", "Advanced"), ("UNMETERED", "Unmetered")]
ALL_SEGMENTS = [s for s, _ in SEGMENTS]

# id, name, category, segments, services (service ids without the SVC- prefix)
ROLES = [
    ("SUP", "Supplier", "supplier", ALL_SEGMENTS, ["SUPPLY"]),
    ("REGS", "Registration Service", "central", ALL_SEGMENTS, ["REGISTRATION"]),
    ("SDS", "Smart Data Service", "agent", ["SMART"], ["SMART-DATA"]),
    ("ADS", "Advanced Data Service", "agent", ["ADVANCED"], ["ADVANCED-DATA"]),
    ("UMSDS", "Unmetered Supplies Data Service", "agent", ["UNMETERED"], ["UNMETERED-DATA"]),
    ("SMS", "Smart Metering Service", "agent", ["SMART"], ["SMART-METERING"]),
    ("AMS", "Advanced Metering Service", "agent", ["ADVANCED"], ["ADVANCED-METERING"]),
    ("UMSO", "Unmetered Supplies Operator", "agent", ["UNMETERED"], []),
    ("LDSO", "Licensed Distribution System Operator", "network", ALL_SEGMENTS, []),
    ("MDS", "Market-wide Data Service", "central", ALL_SEGMENTS, ["MARKET-WIDE-DATA"]),
    ("LSS", "Load Shaping Service", "central", ALL_SEGMENTS, ["LOAD-SHAPING"]),
    ("VAS", "Volume Allocation Service", "central", ALL_SEGMENTS, ["VOLUME-ALLOCATION"]),
    ("ISD", "Industry Standing Data Service", "central", ALL_SEGMENTS, []),
    ("DCC", "Data Communications Company", "platform", ["SMART"], []),
    ("CSS", "Central Switching Service", "central", ALL_SEGMENTS, []),
    ("DIP", "Data Integration Platform", "platform", ALL_SEGMENTS, []),
    ("NESO", "National Energy System Operator", "other", ALL_SEGMENTS, []),
    ("MAP", "Meter Asset Provider", "agent", ["SMART", "ADVANCED"], []),
]

# id suffix, name, segments
SERVICES = [
    ("REGISTRATION", "Registration", ALL_SEGMENTS),
    ("SUPPLY", "Supply", ALL_SEGMENTS),
    ("SMART-DATA", "Smart Data", ["SMART"]),
    ("ADVANCED-DATA", "Advanced Data", ["ADVANCED"]),
    ("UNMETERED-DATA", "Unmetered Data", ["UNMETERED"]),
    ("SMART-METERING", "Smart Metering", ["SMART"]),
    ("ADVANCED-METERING", "Advanced Metering", ["ADVANCED"]),
    ("MARKET-WIDE-DATA", "Market-wide Data", ALL_SEGMENTS),
    ("LOAD-SHAPING", "Load Shaping", ALL_SEGMENTS),
    ("VOLUME-ALLOCATION", "Volume Allocation", ALL_SEGMENTS),
]

# capability groups: id part, name, child capability names (5 groups x 5 = 25 + 5 = 30)
CAPABILITY_GROUPS = [
    (
        "M2B",
        "Meter to Bank",
        [
            "Collect meter readings",
            "Validate consumption data",
            "Estimate missing consumption",
            "Aggregate settlement volumes",
            "Allocate volumes to suppliers",
        ],
    ),
    (
        "MCH",
        "Metering Changes",
        [
            "Manage meter exchanges",
            "Manage energisation status",
            "Manage disconnections",
            "Maintain meter technical details",
            "Manage communications hubs",
        ],
    ),
    (
        "OWN",
        "MPAN Ownership",
        [
            "Register a supplier",
            "Appoint a metering service",
            "Appoint a data service",
            "De-appoint services",
            "Maintain registration data",
        ],
    ),
    (
        "REF",
        "Reference Data",
        [
            "Publish industry standing data",
            "Maintain line loss factors",
            "Maintain network tariffs",
            "Maintain market participant data",
            "Maintain GSP group data",
        ],
    ),
    (
        "INS",
        "Insight and Reporting",
        [
            "Produce load shapes",
            "Forecast demand",
            "Report data accuracy",
            "Investigate exceptions",
            "Provide data for network charges",
        ],
    ),
]

PRINCIPLES = [
    "Timely and accurate settlement",
    "Target operating model defined at service level with prescribed interfaces",
    "Suppliers choose how to deliver data services",
    "The DIP is stateless and runs no business rules",
    "No new DTC flows and no facsimiles of DTC flows on the DIP",
    "A process's interfaces move to the DIP together",
    "Mastered data is assumed correct and is not duplicated",
    "Service operators report data accuracy issues to the data owner",
    "Data is processed promptly per the industry codes",
    "Minimise total cost to industry",
    "Secure and scalable in volume, latency and interfaces",
    "Interfaces pass only the data their governing process needs",
    "Detail enough for code drafting and service build and test",
    "Technology selection mindful of future use",
    "Maximise consumer benefit",
    "Level playing field: the same service level for the same service",
]

TRANCHES = [
    (1, "Tranche 1", "2022-03-07", "2022-03-21", "2022-04-06"),
    (2, "Tranche 2", "2022-05-09", "2022-05-23", "2022-06-08"),
    (3, "Tranche 3", "2022-07-11", "2022-07-25", "2022-08-10"),
    (4, "Tranche 4", "2022-09-12", "2022-09-26", "2022-10-12"),
]

PROCESS_NAMES = [
    "Change of Supplier",
    "Change of Service - Metering Service",
    "Change of Service - Data Service",
    "Change of Existing Service Appointment Details",
    "Data Collection",
    "Data Processing",
    "New Connection",
    "Disconnection",
    "Change of Energisation Status",
    "Change of Meter",
    "Change of Registration Data",
    "Change of Market Segment",
    "Demand Disconnection Events",
    "Investigate Inconsistencies and Exceptions",
    "Provide Data for Network Charges",
    "Reference Data Notification",
    "Forecasting",
    "Load Shaping Service",
    "Market-wide Data Service",
    "Volume Allocation Service",
    "Domestic Opt-out",
    "Provision of Reporting",
    "Customer Direct Contract",
    "Historic Consumption Replay",
    "Reverse Migration",
    "Meter Technical Details Maintenance",
]

INTERFACE_NAMES = [
    "Notification of Change of Supplier",
    "Registration Update to Supplier (COS Gain)",
    "Notification of Reverse Migration and De-Appointment",
    "Comms Hub Information",
    "Metering Service MTD Updates to Registration",
    "Registration Service Notification of MTD Updates",
    "Change of Energisation Status Outcome",
    "Registration Service Notification of Change of Energisation Status",
    "Registration Service Notification of Disconnection",
    "Notification of Defaulted UTC Settlement Period Consumption Data",
    "Rejected UTC Settlement Period Consumption Data",
    "Request Historic Consumption Replay",
    "Notification of Registration Data Item Changes",
    "UTC Settlement Period Consumption Data",
    "LSS Period Data",
    "LSS Totals Data",
    "Supplier Advisory Notifications",
    "Supplier Updates to Registration",
    "Registration Service Notification of Supplier Data Change",
    "Supplier Service Appointment Request",
    "Registration Service Response to Supplier Service Appointment Request",
    "Registration Service Request for Service Appointment",
    "Service Provider Response to Appointment Request",
    "Registration Service Notification to Supplier of Service Appointment",
    "Registration Service Notification of Service Appointment and Supporting Info",
    "Registration Service Notification of Service De-Appointment",
    "Customer Direct Contract Advisory",
    "Customer Direct Contract Advisory Response",
    "Cumulative Meter Reading",
    "Industry Standing Data Publication",
    "Line Loss Factor Notification",
    "Network Tariff Update",
    "Volume Allocation Results",
    "Supplier Settlement Report",
    "Data Accuracy Issue Notification",
    "Data Accuracy Issue Response",
    "Meter Reading Request",
    "Meter Reading Response",
    "Site Visit Outcome",
    "Demand Disconnection Event Notification",
    "Demand Disconnection Volume Adjustment",
    "Market Segment Change Request",
    "Market Segment Change Notification",
    "Domestic Opt-out Notification",
    "Consent Granularity Change",
    "Forecast Demand Publication",
    "Exception Report",
    "Exception Resolution Notification",
    "Metering Point Address Update",
    "Linked MPAN Notification",
    "New Connection Notification",
    "Metering Point Creation Confirmation",
    "Disconnection Request",
    "Meter Exchange Notification",
    "Meter Asset Provider Update",
    "Smart Meter Installation Notification",
    "Unmetered Inventory Update",
    "Settlement Run Schedule",
    "Aggregated Consumption Report",
    "Service Ticket Update",
]

# subject name, logical entity (id part), classification, personal data
DATA_SUBJECTS = [
    ("Metering Point", "METERING-POINT", "internal", False),
    ("Metering Point Address", "METERING-POINT", "confidential", True),
    ("Meter", "METER", "internal", False),
    ("Meter Register", "REGISTER", "internal", False),
    ("Comms Hub", "METER", "internal", False),
    ("Supplier Registration", "SUPPLIER-REGISTRATION", "internal", False),
    ("Metering Service Appointment", "SERVICE-APPOINTMENT", "internal", False),
    ("Data Service Appointment", "SERVICE-APPOINTMENT", "internal", False),
    ("Consumption Period", "CONSUMPTION-PERIOD", "confidential", False),
    ("Meter Reading", "METER-READING", "confidential", False),
    ("Customer Contact", "CUSTOMER", "restricted", True),
    ("Customer Consent", "CUSTOMER", "confidential", True),
    ("Market Participant", "MARKET-PARTICIPANT", "public", False),
    ("GSP Group", "GSP-GROUP", "public", False),
    ("Load Shape Period", "LOAD-SHAPE", "internal", False),
    ("Settlement Run", "SETTLEMENT-RUN", "internal", False),
    ("Energisation Event", "METERING-POINT", "internal", False),
    ("Disconnection Event", "METERING-POINT", "internal", False),
    ("Network Tariff", "METERING-POINT", "public", False),
    ("Site Visit", "METER-READING", "internal", False),
    ("Linked MPAN", "METERING-POINT", "internal", False),
    ("Demand Disconnection Event", "CONSUMPTION-PERIOD", "internal", False),
    ("Data Exception", "MARKET-PARTICIPANT", "internal", False),
    ("Customer Direct Contract", "SERVICE-APPOINTMENT", "confidential", False),
]

# attribute name, type, extra fields
DATA_ATTRIBUTES = [
    ("Identifier", "string", {"length": 13, "format": r"^[0-9]{13}$"}),
    ("Reference", "string", {"length": 35}),
    ("Effective From Date", "date", {}),
    ("Effective To Date", "date", {}),
    ("Timestamp", "datetime", {}),
    ("Start Time", "time", {}),
    ("Status", "enum", {}),
    ("Type Code", "enum", {}),
    ("Reason Code", "enum", {}),
    ("Source Code", "enum", {}),
    ("Indicator", "boolean", {}),
    ("Count", "integer", {"length": 6}),
    ("Quantity", "decimal", {"unit": "kWh"}),
    ("Adjustment Factor", "decimal", {}),
    ("Description", "string", {"length": 200}),
    ("Version Number", "integer", {"length": 3}),
    ("Sequence Number", "integer", {"length": 10}),
    ("Name", "string", {"length": 100}),
    ("Participant Id", "string", {"length": 4, "format": r"^[A-Z]{4}$"}),
    ("Last Updated", "datetime", {}),
]

# id part, name, [(code, meaning)]
VALID_SETS = [
    ("ENERGISATION-STATUS", "Energisation Status", [("E", "Energised"), ("D", "De-energised")]),
    ("ENERGY-DIRECTION", "Energy Direction", [("I", "Import"), ("E", "Export")]),
    (
        "CONNECTION-TYPE",
        "Connection Type Indicator",
        [
            ("W", "Whole current"),
            ("C", "Current transformer"),
            ("L", "Low voltage"),
            ("H", "High voltage"),
            ("E", "Extra high voltage"),
        ],
    ),
    ("MARKET-SEGMENT", "Market Segment Indicator", [("S", "Smart"), ("A", "Advanced"), ("U", "Unmetered")]),
    ("DCC-SERVICE-FLAG", "DCC Service Flag", [("A", "Active"), ("N", "Non-active"), ("W", "Withdrawn")]),
    ("PROFILE-CLASS", "Profile Class", [(f"{n:02d}", f"Profile class {n}") for n in range(9)]),
    ("CONSENT-GRANULARITY", "Consent Granularity", [("H", "Half-hourly"), ("D", "Daily"), ("M", "Monthly")]),
    ("APPOINTMENT-RESPONSE", "Appointment Response Code", [("A", "Accepted"), ("R", "Rejected")]),
    (
        "APPOINTMENT-SCENARIO",
        "Appointment Scenario",
        [
            ("COS", "Change of supplier"),
            ("COA", "Change of agent"),
            ("NEW", "New connection"),
            ("COM", "Change of market segment"),
        ],
    ),
    (
        "READING-METHOD",
        "Reading Method",
        [("A", "Actual"), ("E", "Estimated"), ("C", "Customer own read"), ("D", "Deemed")],
    ),
    ("GSP-GROUP", "GSP Group", [(f"_{c}", f"GSP group {c}") for c in "ABCDEFGHJKLMNP"]),
    (
        "METER-TYPE",
        "Meter Type",
        [
            ("S1", "SMETS1"),
            ("S2A", "SMETS2 single element"),
            ("S2B", "SMETS2 twin element"),
            ("S2C", "SMETS2 polyphase"),
            ("S2CDE", "SMETS2 polyphase with auxiliary load"),
        ],
    ),
    ("QUALITY-FLAG", "Consumption Quality Flag", [("A", "Actual"), ("E", "Estimated"), ("D", "Defaulted")]),
    (
        "SETTLEMENT-RUN-TYPE",
        "Settlement Run Type",
        [
            ("SF", "Initial settlement"),
            ("R1", "First reconciliation"),
            ("R2", "Second reconciliation"),
            ("R3", "Third reconciliation"),
            ("RF", "Final reconciliation"),
            ("DF", "Dispute final"),
        ],
    ),
    (
        "MEASUREMENT-QUANTITY",
        "Measurement Quantity",
        [("AI", "Active import"), ("AE", "Active export"), ("RI", "Reactive import"), ("RE", "Reactive export")],
    ),
    ("MEASUREMENT-CLASS", "Measurement Class", [(c, f"Measurement class {c}") for c in "ABCDEFG"]),
    (
        "DISCONNECTION-REASON",
        "Disconnection Reason",
        [("DEM", "Demolition"), ("PER", "Permanent removal"), ("DUP", "Duplicate registration")],
    ),
    (
        "REJECTION-REASON",
        "Rejection Reason",
        [
            ("R01", "Unknown MPAN"),
            ("R02", "Invalid effective date"),
            ("R03", "Not appointed"),
            ("R04", "Schema validation failure"),
        ],
    ),
    (
        "SITE-VISIT-CHECK",
        "Site Visit Check Code",
        [("01", "No access"), ("02", "Meter removed"), ("03", "Meter damaged"), ("04", "Reading obtained")],
    ),
    ("EVENT-CODE", "DIP Event Code", [("CREATE", "Created"), ("UPDATE", "Updated"), ("DELETE", "Deleted")]),
    ("SERVICE-TYPE", "Service Type", [("MS", "Metering service"), ("DS", "Data service")]),
    ("DOMESTIC-PREMISES", "Domestic Premises Indicator", [("Y", "Domestic"), ("N", "Non-domestic")]),
    ("REGISTRATION-STATUS", "Registration Status", [("P", "Pending"), ("R", "Registered"), ("W", "Withdrawn")]),
    (
        "EXCEPTION-TYPE",
        "Exception Type",
        [("TAM", "Suspected tampering"), ("COM", "Communications fault"), ("ACC", "Data accuracy"), ("DIS", "Dispute")],
    ),
    ("TARIFF-TYPE", "DUoS Tariff Type", [("DOM", "Domestic"), ("NDM", "Non-domestic"), ("UMS", "Unmetered")]),
    (
        "METER-LOCATION",
        "Meter Location",
        [("A", "Attic"), ("B", "Basement"), ("G", "Garage"), ("K", "Kitchen"), ("O", "Outside")],
    ),
    ("CONTACT-CHANNEL", "Customer Contact Channel", [("E", "Email"), ("P", "Phone"), ("L", "Letter")]),
    ("REPLAY-INDICATOR", "Replay Indicator", [("T", "Replayed"), ("F", "Original")]),
    (
        "READ-REASON",
        "Read Reason",
        [("COS", "Change of supplier"), ("COM", "Change of meter"), ("ROU", "Routine"), ("FIN", "Final")],
    ),
    ("DATA-SOURCE", "Data Source", [("M", "Meter"), ("I", "Inventory"), ("S", "Substitute")]),
]

# id part, name, [related entity id parts]
ENTITIES = [
    ("METERING-POINT", "Metering Point", ["METER", "SUPPLIER-REGISTRATION", "GSP-GROUP"]),
    ("METER", "Meter", ["REGISTER"]),
    ("REGISTER", "Register", ["METER-READING"]),
    ("SUPPLIER-REGISTRATION", "Supplier Registration", ["SERVICE-APPOINTMENT"]),
    ("SERVICE-APPOINTMENT", "Service Appointment", ["MARKET-PARTICIPANT"]),
    ("CONSUMPTION-PERIOD", "Consumption Period", ["SETTLEMENT-RUN"]),
    ("METER-READING", "Meter Reading", []),
    ("CUSTOMER", "Customer", ["METERING-POINT"]),
    ("MARKET-PARTICIPANT", "Market Participant", []),
    ("GSP-GROUP", "GSP Group", []),
    ("LOAD-SHAPE", "Load Shape", ["GSP-GROUP", "SETTLEMENT-RUN"]),
    ("SETTLEMENT-RUN", "Settlement Run", ["CONSUMPTION-PERIOD"]),
]

INTERNAL_STEPS = [
    "Validate the received message against the interface schema",
    "Update the registration record",
    "Derive the recipients from the registration data",
    "Store the consumption data for settlement",
    "Calculate half-hourly settlement volumes",
    "Raise an exception for investigation",
    "Check the effective from date against the current record",
    "Record the appointment outcome",
    "Estimate missing settlement periods",
    "Notify the customer of the change",
]
CONDITIONS = [
    "If validation fails",
    "If the request is accepted",
    "If the request is rejected",
    "For Advanced sites only",
    "When the effective date is reached",
]
TRIGGERS = [
    "Registration record updated",
    "Appointment requested by the supplier",
    "Settlement run scheduled",
    "Meter exchange completed",
    "Daily at 05:00 UTC",
    "Data accuracy issue detected",
    "Customer request received",
]
GROUPS = ["Metering point", "Appointment", "Meter details", "Readings", "Consumption", "Registration", "Customer"]


# --------------------------------------------------------------------------- #
# Ids (valid at any scale up to MAX_SCALE)
# --------------------------------------------------------------------------- #


def _numbered_id(prefix: str, index: int) -> str:
    """0-based index -> PREFIX001 .. PREFIX999, then PREFIX001A .. PREFIX999A, ..."""
    number = index % 999 + 1
    block = index // 999
    letter = "" if block == 0 else chr(ord("A") + block - 1)
    return f"{prefix}{number:03d}{letter}"


def _unit_suffix(unit: int, sep: str) -> str:
    """Unit 0 keeps the real ids (SUP, CAP-M2B-01); unit k adds e.g. '_2' or '-2'."""
    return "" if unit == 0 else f"{sep}{unit + 1}"


def _unit_name(name: str, unit: int) -> str:
    return name if unit == 0 else f"{name} (variant {unit + 1})"


# --------------------------------------------------------------------------- #
# Building the model in memory
# --------------------------------------------------------------------------- #


class _Model:
    """Plain lists of entity dicts, one list per kind, in file order."""

    def __init__(self) -> None:
        self.segments: list[dict] = []
        self.roles: list[dict] = []
        self.services: list[dict] = []
        self.capabilities: list[dict] = []
        self.principles: list[dict] = []
        self.tranches: list[dict] = []
        self.processes: list[dict] = []
        self.interfaces: list[dict] = []
        self.data_items: list[dict] = []
        self.valid_sets: list[dict] = []
        self.entities: list[dict] = []


def _build_shared(model: _Model) -> None:
    for seg_id, name in SEGMENTS:
        model.segments.append(
            {"id": seg_id, "name": name, "description": f"Metering points in the {name} market segment."}
        )
    for n, title in enumerate(PRINCIPLES):
        model.principles.append({"id": f"DP-{n:02d}", "title": title, "text": f"{title}.", "scope": "design"})
    for tid, name, start, end, approval in TRANCHES:
        model.tranches.append(
            {"id": tid, "name": name, "reviews": [{"round": 1, "start": start, "end": end}], "approval": approval}
        )


def _build_unit(model: _Model, rng: random.Random, unit: int) -> None:
    """Append one self-contained copy of the design, with ids unique to `unit`."""
    role_sfx = _unit_suffix(unit, "_")
    sfx = _unit_suffix(unit, "-")

    # --- market: services, roles -------------------------------------------------
    for part, name, segments in SERVICES:
        model.services.append(
            {
                "id": f"SVC-{part}{sfx}",
                "name": _unit_name(name, unit),
                "segments": list(segments),
                "description": f"The {name.lower()} service.",
            }
        )
    roles = []  # role ids of this unit
    for rid, name, category, segments, services in ROLES:
        role = {"id": rid + role_sfx, "name": _unit_name(name, unit), "category": category, "segments": list(segments)}
        if services:
            role["services"] = [f"SVC-{s}{sfx}" for s in services]
        role["description"] = f"The {name} market role."
        model.roles.append(role)
        roles.append(role["id"])

    # --- capabilities: 5 roots with 5 children each (parents always earlier: no cycle)
    capabilities = []
    for group, group_name, children in CAPABILITY_GROUPS:
        root_id = f"CAP-{group}{sfx}"
        model.capabilities.append(
            {
                "id": root_id,
                "name": _unit_name(group_name, unit),
                "description": f"Capabilities for {group_name.lower()}.",
            }
        )
        capabilities.append(root_id)
        for n, child in enumerate(children, start=1):
            cap_id = f"CAP-{group}-{n:02d}{sfx}"
            model.capabilities.append(
                {
                    "id": cap_id,
                    "name": child,
                    "parent": root_id,
                    "roles": rng.sample(roles, rng.randint(1, 3)),
                    "description": f"The ability to {child.lower()}.",
                }
            )
            capabilities.append(cap_id)

    # --- logical entities and valid sets ------------------------------------------
    for part, name, related in ENTITIES:
        entity = {"id": f"ENT-{part}{sfx}", "name": name, "description": f"A {name.lower()} in the logical data model."}
        if related:
            entity["relationships"] = [
                {
                    "to": f"ENT-{r}{sfx}",
                    "cardinality": rng.choice(["1:1", "1:N", "N:M"]),
                    "name": f"has {r.lower().replace('-', ' ')}",
                }
                for r in related
            ]
        model.entities.append(entity)
    valid_sets = []
    for part, name, values in VALID_SETS:
        vs_id = f"VS-{part}{sfx}"
        model.valid_sets.append({"id": vs_id, "name": name, "values": [{"code": c, "meaning": m} for c, m in values]})
        valid_sets.append(vs_id)

    # --- data items: 400 distinct subject x attribute names -----------------------
    pairs = [(s, a) for s in DATA_SUBJECTS for a in DATA_ATTRIBUTES]
    items = []  # (id, classification, personal)
    for subject, attribute in rng.sample(pairs, DATA_ITEMS_PER_UNIT):
        s_name, entity, classification, personal = subject
        a_name, a_type, extra = attribute
        item_id = f"DI-{len(model.data_items) + 1:03d}"
        item = {"id": item_id, "name": f"{s_name} {a_name}", "type": a_type, **extra}
        if a_type == "enum":  # enum <=> valid_set
            item["valid_set"] = rng.choice(valid_sets)
        item["owner"] = rng.choice(roles[:12])
        item["classification"] = classification
        item["personal_data"] = personal
        item["entity"] = f"ENT-{entity}{sfx}"
        if rng.random() < 0.4:
            item["dtc_ref"] = f"J{rng.randint(1, 2000):04d}"
        item["description"] = f"The {a_name.lower()} of the {s_name.lower()}."
        model.data_items.append(item)
        items.append((item_id, classification, personal))

    # --- processes (tranche first), then interfaces owned by a process ------------
    processes = []
    for n in range(PROCESSES_PER_UNIT):
        processes.append(
            {
                "id": _numbered_id("BP", len(model.processes) + len(processes)),
                "name": _unit_name(PROCESS_NAMES[n], unit),
                "level": 0,
                "tranche": rng.choice([1, 1, 2, 2, 3, 4]),
                "status": rng.choice(["draft", "review", "approved", "baselined"]),
                "capabilities": rng.sample(capabilities, rng.randint(1, 3)),
                "segments": rng.sample(ALL_SEGMENTS, rng.randint(1, 3)),
                "participants": [],  # filled from the steps below
                "principles": sorted(rng.sample([p["id"] for p in model.principles], 2)),
                "description": f"Level-0 process: {PROCESS_NAMES[n].lower()}.",
                "steps": [],
            }
        )

    # Each interface is owned by one process (round robin, so every interface is used
    # by a step) and gets a tranche <= its owner's (tranche coherence). The first 18
    # interfaces are sent by each role in turn, so every role is in an interface.
    interfaces = []
    owner_of = {}
    for n in range(INTERFACES_PER_UNIT):
        owner = processes[n % PROCESSES_PER_UNIT]
        sender = roles[n] if n < len(roles) else rng.choice(roles)
        others = [r for r in roles if r != sender]
        receivers = rng.sample(others, rng.randint(1, 4))
        # a quarter of the interfaces have a second sender (as IF-021 has SDS, ADS and UMSDS)
        senders = [sender]
        if rng.random() < 0.25:
            senders.append(rng.choice([r for r in others if r not in receivers]))
        interface = {
            "id": _numbered_id("PUB-" if n % 4 == 3 else "IF-", len(model.interfaces) + len(interfaces)),
            "name": _unit_name(INTERFACE_NAMES[n], unit),
            "version": f"1.{rng.randint(0, 4)}.0",
            "status": rng.choice(["draft", "review", "approved", "baselined"]),
            "tranche": rng.randint(1, owner["tranche"]),
            "senders": senders,
            "receivers": receivers,
            "transport": rng.choice(["DIP", "DIP", "DIP", "DTN", "API", "file"]),
            "pattern": rng.choice(["publish", "request", "response"]),
            "trigger": rng.choice(TRIGGERS),
            "frequency": rng.choice(["on-event", "daily", "half-hourly", "monthly", "ad-hoc"]),
        }
        interfaces.append(interface)
        owner_of[interface["id"]] = owner["id"]

    _assign_data_items(rng, interfaces, items)

    for interface in interfaces:
        per_day = rng.choice([10, 500, 20_000, 1_000_000, 30_000_000])
        # volumes that agree with the frequency (rule D609): ad hoc is occasional, a
        # half-hourly flow sends at least 48 a day
        if interface["frequency"] == "ad-hoc":
            per_day = rng.choice([1, 2, 5, 10])
        elif interface["frequency"] == "half-hourly":
            per_day = max(per_day, 48 * 10)
        typical = rng.choice([1024, 2048, 4096, 6144])
        interface["volumetrics"] = {
            "messages_per_day": per_day,
            "peak_per_hour": max(1, per_day // rng.randint(8, 24)),
            "payload_bytes": {"typical": typical, "max": typical * 4},
        }
        interface["principles"] = sorted(rng.sample([p["id"] for p in model.principles], 2))
        senders = interface["senders"]
        interface["description"] = (
            f"{interface['name']}, sent by the {' and '.join(senders)} role{'s' * (len(senders) > 1)}."
        )

    for process in processes:
        owned = [i for i in interfaces if owner_of[i["id"]] == process["id"]]
        usable = [i for i in interfaces if i["tranche"] <= process["tranche"]]
        _build_steps(rng, process, owned, usable)

    model.processes.extend(processes)
    model.interfaces.extend(interfaces)


def _assign_data_items(rng: random.Random, interfaces: list[dict], items: list[tuple[str, str, bool]]) -> None:
    """Give each interface 5-30 distinct items, every item used at least once, and set
    its security block to cover what it carries (classification and personal data)."""
    sizes = [rng.randint(5, 30) for _ in interfaces]
    while sum(sizes) < len(items):  # never at the default sizes, but keep it total
        sizes[rng.randrange(len(sizes))] = 30
    carried: list[list[tuple]] = [[] for _ in interfaces]
    # coverage: deal the shuffled items round robin to interfaces that still have room
    order = list(items)
    rng.shuffle(order)
    slot = 0
    for item in order:
        while len(carried[slot % len(interfaces)]) >= sizes[slot % len(interfaces)]:
            slot += 1
        carried[slot % len(interfaces)].append(item)
        slot += 1
    # fill the remaining room with random items, no duplicates within an interface
    for n, chosen in enumerate(carried):
        taken = {item[0] for item in chosen}
        while len(chosen) < sizes[n]:
            item = rng.choice(items)
            if item[0] not in taken:
                chosen.append(item)
                taken.add(item[0])

    for interface, chosen in zip(interfaces, carried):
        level = max(CLASSIFICATIONS.index(c) for _, c, _ in chosen)
        if rng.random() < 0.2:
            level = min(level + 1, len(CLASSIFICATIONS) - 1)  # stricter is allowed
        interface["security"] = {
            "classification": CLASSIFICATIONS[level],
            "personal_data": any(p for _, _, p in chosen),
        }
        group = rng.choice(GROUPS)
        interface["data_items"] = []
        for n, (item_id, _, _) in enumerate(chosen):
            if n and n % 6 == 0:
                group = rng.choice(GROUPS)
            ref = {"ref": item_id}
            if rng.random() < 0.25:
                ref["mandatory"] = False
            if rng.random() < 0.15:
                ref["repeats"] = rng.choice(["0..1", "1..*", "0..*"])
            ref["group"] = group
            interface["data_items"].append(ref)


def _build_steps(rng: random.Random, process: dict, owned: list[dict], usable: list[dict]) -> None:
    """4-12 steps: every owned interface once, some other usable interfaces, some
    internal steps. actor = one of the senders, to = receivers (or a subset), participants = all."""
    n_steps = max(rng.randint(4, 12), len(owned) + 1)
    messages = list(owned)
    n_extra = rng.randint(0, max(0, n_steps - len(owned) - 2))
    messages += rng.sample(usable, min(n_extra, len(usable)))
    rng.shuffle(messages)
    # interleave: positions of message steps among all steps
    kinds = ["message"] * len(messages) + ["internal"] * (n_steps - len(messages))
    rng.shuffle(kinds)

    participants: list[str] = []

    def join(*role_ids: str) -> None:
        for role_id in role_ids:
            if role_id not in participants:
                participants.append(role_id)

    steps = []
    for step_id, kind in enumerate(kinds, start=1):
        if kind == "message":
            interface = messages.pop()
            sender = rng.choice(interface["senders"])
            step = {
                "id": step_id,
                "name": f"Send {interface['name']}",
                "actor": sender,
                "interface": interface["id"],
            }
            receivers = interface["receivers"]
            if len(receivers) > 1 and rng.random() < 0.4:
                step["to"] = rng.sample(receivers, rng.randint(1, len(receivers) - 1))
                join(sender, *step["to"])
            else:  # no `to`: all receivers, so all must be participants
                join(sender, *receivers)
        else:
            # every process owns >= 2 interfaces (60 per 26), so owned[0] exists
            actor = rng.choice(participants) if participants else owned[0]["senders"][0]
            join(actor)
            step = {"id": step_id, "name": rng.choice(INTERNAL_STEPS), "actor": actor}
        if step_id < n_steps:
            step["next"] = [step_id + 1]
            if step_id + 2 <= n_steps and rng.random() < 0.15:
                step["next"].append(step_id + 2)
                step["condition"] = rng.choice(CONDITIONS)
        steps.append(step)

    process["participants"] = participants
    process["steps"] = steps


# --------------------------------------------------------------------------- #
# Writing YAML
# --------------------------------------------------------------------------- #

_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):
    """Safe dumper that also quotes y/n-like strings, which some YAML readers turn
    into booleans, and strings that YAML 1.2 reads as numbers although YAML 1.1 does
    not (`08`): PyYAML's own resolver quotes only what YAML 1.1 would misread
    (yes/no/on/off, `07`, dates)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    looks_like_a_number = value[:1] in NUMBER_START and core_number(value) != value
    style = "'" if value.lower() in ("y", "n") or looks_like_a_number else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def generate(out_dir: Path, scale: int, seed: int = 0) -> dict[str, int]:
    """Write a clean synthetic model of `scale` units into `out_dir` (the model
    folder itself) and return the number of entities per kind."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be 1..{MAX_SCALE} (data item ids allow 9,999 items)")
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    model = _Model()
    _build_shared(model)
    for unit in range(scale):
        _build_unit(model, rng, unit)

    _write(
        out_dir / "mhhsarch.yaml",
        {
            "name": f"Synthetic MHHS design (scale {scale}, seed {seed})",
            "version": f"0.{scale}.{seed}",
            "baseline": f"synthetic-{scale}-{seed}",
        },
    )
    _write(out_dir / "market.yaml", {"segments": model.segments, "roles": model.roles, "services": model.services})
    _write(out_dir / "capabilities.yaml", {"capabilities": model.capabilities})
    _write(out_dir / "principles.yaml", {"principles": model.principles})
    _write(out_dir / "tranches.yaml", {"tranches": model.tranches})
    for process in model.processes:
        _write(out_dir / "processes" / f"{process['id']}.yaml", {"process": process})
    for interface in model.interfaces:
        _write(out_dir / "interfaces" / f"{interface['id']}.yaml", {"interface": interface})
    catalogue = out_dir / "data_catalogue"
    for start in range(0, len(model.data_items), DATA_ITEMS_PER_FILE):
        chunk = model.data_items[start : start + DATA_ITEMS_PER_FILE]  # never a single item
        _write(catalogue / f"data_items_{start // DATA_ITEMS_PER_FILE + 1:03d}.yaml", {"data_items": chunk})
    _write(catalogue / "valid_sets.yaml", {"valid_sets": model.valid_sets})
    _write(catalogue / "entities.yaml", {"entities": model.entities})

    return {
        kind: len(getattr(model, kind))
        for kind in (
            "segments",
            "roles",
            "services",
            "capabilities",
            "principles",
            "tranches",
            "processes",
            "interfaces",
            "data_items",
            "valid_sets",
            "entities",
        )
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic MHHS model.")
    parser.add_argument("out_dir", type=Path, help="model folder to write")
    parser.add_argument("--scale", type=int, default=1, help=f"multiple of the real design's size, 1..{MAX_SCALE}")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        counts = generate(args.out_dir, args.scale, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    for kind, count in counts.items():
        print(f"{kind:14} {count:6}")
    print(f"{'total':14} {sum(counts.values()):6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
