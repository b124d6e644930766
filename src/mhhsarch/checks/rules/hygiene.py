"""Hygiene (defect class 9): parts of the model that nothing else uses."""

from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding, Severity


@rule("W801", "unused-data-item", Severity.WARNING, needs_complete_model=True)
def unused_data_item(model, graph) -> Iterator[Finding]:
    """A data item that no interface carries.

    Why: the catalogue should hold what integration needs (DESIGN principle 11);
    an unused item is stale or its interface is missing.

    Bad:
        data_items: [{id: DI-999, name: Legacy Flag, type: boolean}]   # in no interface
    Good:
        interface: {..., data_items: [{ref: DI-999}]}
    """
    for item in model.data_items.values():
        if not graph.is_referenced(("data_item", item.id), ["carries"]):
            yield Finding(f"data item {item.id} ({item.name}) is carried by no interface", item.span("id"), item.id)


@rule("W802", "unused-interface", Severity.WARNING, needs_complete_model=True)
def unused_interface(model, graph) -> Iterator[Finding]:
    """An interface that no process step sends.

    Why: every interface exists to serve a process; one that no process uses has no
    sequence diagram and no owner in the business design.

    Bad:
        interface: {id: IF-099, ...}   # no step has interface: IF-099
    Good:
        steps: [{id: 3, name: Notify supplier, actor: REGS, interface: IF-099}]
    """
    for interface in model.interfaces.values():
        if interface.status == "withdrawn":
            continue
        if not graph.is_referenced(("interface", interface.id), ["uses"]):
            yield Finding(f"interface {interface.id} is sent by no process step", interface.span("id"), interface.id)


@rule("W803", "role-without-interface", Severity.WARNING, needs_complete_model=True)
def role_without_interface(model, graph) -> Iterator[Finding]:
    """A role that sends or receives no interface.

    Why: the communication diagram would show it unconnected; either its flows are
    missing or the role does not belong in the integration design.

    Bad:
        roles: [{id: NESO, ...}]   # sender or receiver of nothing
    Good:
        interface: {..., receivers: [NESO]}
    """
    for role in model.roles.values():
        if not graph.is_referenced(("role", role.id), ["sent_by", "received_by"]):
            yield Finding(f"role {role.id} ({role.name}) sends and receives no interface", role.span("id"), role.id)


@rule("W805", "unresolved-comment-on-approved-artefact", Severity.WARNING)
def unresolved_comment_on_approved_artefact(model, graph) -> Iterator[Finding]:
    """An approved or baselined artefact (process, interface or registered document) has a
    review comment still in `action`, `clarification` or `open`.

    Why: approval says the review is closed; a comment still waiting for a change, an
    answer or a first response means the artefact was approved with the review open,
    and the reviewer who raised it reads a document that does not say so.

    Bad:
        interface: {id: IF-021, status: approved, ...}
        comments: [{id: C-0002, artefact: IF-021, status: clarification, ...}]
    Good:
        comments: [{id: C-0002, artefact: IF-021, status: accepted, response: The description now says so.}]
    """
    for comment in model.comments.values():
        if comment.resolved:
            continue
        artefact = (
            model.processes.get(comment.artefact)
            or model.interfaces.get(comment.artefact)
            or model.artefacts.get(comment.artefact)
        )
        if artefact is None or artefact.status not in ("approved", "baselined"):
            continue
        yield Finding(
            f"{artefact.id} is {artefact.status} but comment {comment.id} on it is still {comment.status}; "
            "resolve the comment or take the artefact back to review",
            comment.span("status"),
            artefact.id,
            related=(artefact.span("status"),),
        )


@rule("W804", "file-name-mismatch", Severity.WARNING)
def file_name_mismatch(model, graph) -> Iterator[Finding]:
    """A file holding a single entity (under the singular key) is not named after that entity's id.

    Why: people find `interfaces/IF-021.yaml` by its name; a mismatch sends them to
    the wrong file and hides renames in review.

    Bad:
        # interfaces/consumption.yaml
        interface: {id: IF-021, ...}
    Good:
        # interfaces/IF-021.yaml
        interface: {id: IF-021, ...}
    """
    per_file = defaultdict(list)
    for entity in model.all_entities():
        if entity.origin is not None:
            per_file[entity.origin.file_path].append(entity)
    for path, entities in sorted(per_file.items()):
        entity = entities[0]
        # a plural key announces a collection file, whatever its length
        if len(entities) != 1 or len(entity.origin.path) != 1:
            continue
        stem = PurePosixPath(path).name.rsplit(".", 1)[0]
        if stem != str(entity.id):
            yield Finding(
                f"file holds only {entity.id}; name it {entity.id}{PurePosixPath(path).suffix}",
                entity.span("id"),
                str(entity.id),
            )
