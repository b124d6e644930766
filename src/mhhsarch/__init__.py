"""mhhsarch: a model-driven architecture repository and artefact generator for the MHHS design."""

__version__ = "0.1.0"
