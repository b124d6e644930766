"""Review comments: what they are about, who made them, in which round."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding
from mhhsarch.model.kinds import CATALOGUE_ARTEFACT
from mhhsarch.review import anchors
from mhhsarch.review.constituencies import closest_constituency, same_constituency


@rule("C901", "comment-anchor-unknown")
def comment_anchor_unknown(model, graph) -> Iterator[Finding]:
    """A comment's `anchor` names nothing in the artefact it is on.

    The anchors of an artefact are its steps, data items, valid sets and codes, roles,
    interfaces or processes and sections (`mhhsarch comments anchors ID` lists them).

    Why: the design team answers a comment where it points; an anchor that names
    nothing in the artefact (a step since renumbered, a data item of another interface)
    sends them to the wrong place, and the tracker cannot count it against a part.

    Bad:
        comments: [{id: C-0001, artefact: BP005, anchor: "step:99", ...}]
    Good:
        comments: [{id: C-0001, artefact: BP005, anchor: "step:3", ...}]
    """
    for comment in model.comments.values():
        if comment.anchor is None:
            continue
        target = anchors.artefact(model, comment.artefact)
        if target is None:
            continue  # R302 says the artefact is missing
        registered = model.artefacts.get(comment.artefact)
        if registered is not None and not registered.sections and comment.anchor.startswith("section:"):
            continue  # a registered document that lists no sections: any section may be named
        if anchors.find_anchor(model, comment.artefact, comment.anchor) is not None:
            continue
        known = [a.id for a in anchors.anchors(model, comment.artefact)]
        close = difflib.get_close_matches(comment.anchor, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        yield Finding(
            f"comment {comment.id}: {comment.anchor!r} is not an anchor of {comment.artefact}{hint}",
            comment.span("anchor"),
            comment.id,
        )


@rule("C902", "constituency-unknown")
def constituency_unknown(model, graph) -> Iterator[Finding]:
    """A comment's `constituency` is not one of mhhsarch.yaml's `constituencies`.

    By default they are the programme's: Supplier – Large, …, Other – IT Service Provider.

    Why: the Design Advisory Group reads the tracker by constituency; a spelling of
    its own ("Large Supplier") makes a group of one that nobody recognises.

    Bad:
        comments: [{id: C-0001, constituency: Large Supplier, ...}]
    Good:
        comments: [{id: C-0001, constituency: "Supplier – Large", ...}]
    """
    allowed = model.config.constituencies
    for comment in model.comments.values():
        if comment.constituency in allowed:
            continue
        same = same_constituency(comment.constituency, allowed)
        if same is not None:
            hint = f"; write it as {same!r}"
        else:
            close = closest_constituency(comment.constituency, allowed)
            hint = f"; did you mean {close!r}?" if close else "; mhhsarch.yaml's `constituencies` lists them"
        yield Finding(
            f"comment {comment.id}: constituency {comment.constituency!r} is not a constituency{hint}",
            comment.span("constituency"),
            comment.id,
        )


@rule("C903", "comment-round-unknown")
def comment_round_unknown(model, graph) -> Iterator[Finding]:
    """A comment's `round` is not a review round of its artefact's tranche, or did not issue it.

    Why: the tracker counts comments per round; a comment in a round that never
    reviewed the artefact is counted where nobody looks for it.

    Bad:
        comments: [{id: C-0001, artefact: IF-024, round: 2, ...}]   # round 2 did not re-issue IF-024
    Good:
        comments: [{id: C-0001, artefact: IF-024, round: 1, ...}]
    """
    for comment in model.comments.values():
        if comment.round is None:
            continue
        target = anchors.artefact(model, comment.artefact)
        if comment.artefact == CATALOGUE_ARTEFACT:
            # the catalogue has no tranche: some tranche's round of that number must have issued it
            issued = any(
                r.round == comment.round and CATALOGUE_ARTEFACT in r.artefacts
                for t in model.tranches.values()
                for r in t.reviews
            )
            if not issued:
                yield Finding(
                    f"comment {comment.id}: no review round {comment.round} issued {CATALOGUE_ARTEFACT} "
                    "(list it in a round's `artefacts`)",
                    comment.span("round"),
                    comment.id,
                )
            continue
        if target is None or target.tranche is None:
            continue
        tranche = model.tranches.get(target.tranche)
        if tranche is None:
            continue
        review = next((r for r in tranche.reviews if r.round == comment.round), None)
        if review is None:
            rounds = ", ".join(str(r.round) for r in tranche.reviews) or "none"
            message = f"tranche {tranche.id} has no review round {comment.round} (its rounds: {rounds})"
        elif not review.covers(comment.artefact):
            message = f"review round {comment.round} of tranche {tranche.id} did not issue {comment.artefact}"
        else:
            continue
        yield Finding(f"comment {comment.id}: {message}", comment.span("round"), comment.id)
