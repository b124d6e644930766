"""Documents for reviewers: Word interface specifications and process descriptions, the
Excel data catalogue, and PDFs of the Word documents.

One module per artefact kind; `docxkit` is the Word writer they share and `text`
makes model text safe for Word and Excel.
"""
