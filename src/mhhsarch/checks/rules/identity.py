"""Identity and references (defect classes 3 and 4)."""

from collections.abc import Iterator

from mhhsarch.checks.rule import code, rule
from mhhsarch.diagnostics.core import Finding
from mhhsarch.model.kinds import KINDS


@code("R301", "duplicate-id")
def duplicate_id():
    """Two entities of one kind share an id (in one file or across files).

    Why: references become ambiguous and only the first definition is used; the
    second is ignored by every document.

    Bad:
        # interfaces/IF-021.yaml and interfaces/IF-021-copy.yaml both say
        interface: {id: IF-021, ...}
    Good:
        one definition per id
    """


@rule("R302", "dangling-reference")
def dangling_reference(model, graph) -> Iterator[Finding]:
    """A reference names an entity that does not exist.

    Why: the documents would name a role, interface or data item that is defined
    nowhere, and traceability breaks.

    Bad:
        interface: {id: IF-021, senders: [SDX], ...}
    Good:
        interface: {id: IF-021, senders: [SDS], ...}
    """
    for ref in model.references():
        if model.exists(ref.target_kind, ref.target_id):
            continue
        source = model.get(ref.source_kind, ref.source_id)
        title = KINDS[ref.target_kind].title.lower()
        yield Finding(
            f"{ref.source_id} references {title} '{ref.target_id}', which is not defined",
            source.span(*ref.path),
            str(ref.source_id),
        )
