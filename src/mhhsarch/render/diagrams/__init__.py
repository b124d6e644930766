"""Diagram renderers: communication diagrams (Graphviz) and sequence diagrams (PlantUML),
each also as Mermaid text.

    views.py          model -> view-models (pure: what a diagram shows, in which order)
    common.py         what the writers share: font, transport styles, text wrapping, tool
                      calls, byte-stable PNG/SVG post-processing
    mermaid.py        view-model -> Mermaid text (flowchart / sequenceDiagram)
    communication.py  view-model -> DOT -> SVG + PNG; the `communication` renderer
    sequence.py       view-model -> PlantUML -> SVG + PNG; the `sequence` renderer
"""
