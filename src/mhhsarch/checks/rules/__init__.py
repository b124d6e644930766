"""Rule families: one module per family of DESIGN section 2. Add a module here to add a family."""

from mhhsarch.checks.rules import (  # noqa: F401  (importing registers the rules)
    data,
    hierarchy,
    hygiene,
    identity,
    processes,
    reviews,
    schema,
    source,
    tranches,
)

ALL_FAMILIES = (source, schema, identity, processes, hierarchy, data, tranches, reviews, hygiene)
