"""What a comment can be about: every artefact's anchors, and their Word bookmark names."""

from __future__ import annotations

import re
from pathlib import Path

from mhhsarch.model.kinds import CATALOGUE_ARTEFACT
from mhhsarch.pipeline import check_model
from mhhsarch.review import anchors

SHIPPED = Path(__file__).parents[1] / "model"


def test_every_artefact_and_its_anchors():
    model = check_model(SHIPPED).model
    found = anchors.artefacts(model)
    ids = [a.id for a in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(model.processes) | set(model.interfaces) | set(model.artefacts) | {CATALOGUE_ARTEFACT}
    bp005 = [a.id for a in anchors.anchors(model, "BP005")]
    assert [f"step:{s.id}" for s in model.processes["BP005"].steps] == [a for a in bp005 if a.startswith("step:")]
    assert "section:steps" in bp005 and "ROLE:SDS" in bp005
    if021 = [a.id for a in anchors.anchors(model, "IF-021")]
    assert [u.ref for u in model.interfaces["IF-021"].data_items] == [a for a in if021 if a.startswith("DI-")]
    assert "section:volumetrics" in if021 and "section:appendix-a-valid-sets" in if021
    coded = [a for a in if021 if a.startswith("VS-") and ":" in a]
    assert coded, "the valid-set codes of the interface's items are anchors"
    assert [a.id for a in anchors.anchors(model, "BRS007")][:1] == ["section:1"]
    assert anchors.anchors(model, "IF-999") == () and anchors.artefact(model, "IF-999") is None
    assert anchors.find_anchor(model, "BP005", " step:3 ") is not None


def test_bookmark_names_follow_words_rules_and_never_collide():
    model = check_model(SHIPPED).model
    for artefact in anchors.artefacts(model):
        names = {}
        for anchor in anchors.anchors(model, artefact.id):
            name = anchors.bookmark_name(anchor.id)
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name), name
            assert names.setdefault(name, anchor.id) == anchor.id, f"{artefact.id}: {name} names two anchors"
            assert anchors.anchor_of_bookmark(model, artefact.id, name) == anchor
    # anchors that differ only in punctuation still get two bookmarks
    assert anchors.bookmark_name("VS-A:B") != anchors.bookmark_name("VS-A-B")
    assert anchors.anchor_of_bookmark(model, "IF-021", "_Toc123") is None
