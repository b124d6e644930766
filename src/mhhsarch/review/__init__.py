"""The review loop: what a comment can be about (anchors), comment forms in, the tracker out."""
