"""Codes reported while reading files (defect class 1): the file is not a usable model file."""

from mhhsarch.checks.registry import code


@code("Y101", "yaml-syntax")
def yaml_syntax():
    """The file is not valid YAML.

    Why: nothing in the file can be read, so every entity in it is missing from the
    model and from every document.

    Bad:
        role:
          id: SUP
                name: Supplier      # a tab: YAML indents with spaces only
    Good:
        role:
          id: SUP
          name: Supplier
    """


@code("Y102", "duplicate-key")
def duplicate_key():
    """A mapping holds the same key twice.

    Why: YAML parsers silently keep the last value, so the first one is lost without
    a word: a reviewer reads one value, the documents show another.

    Bad:
        interface:
          id: IF-021
          sender: SDS
          sender: ADS
    Good:
        interface:
          id: IF-021
          sender: SDS
          x-also_sent_by: [ADS]
    """


@code("Y103", "unknown-top-level-key")
def unknown_top_level_key():
    """A top-level key does not name a kind.

    Why: the loader decides what a file holds from its top-level keys; a misspelt
    key would otherwise drop every entity under it.

    Bad:
        proceses:
          - id: BP001
    Good:
        processes:
          - id: BP001
    """


@code("Y104", "not-a-mapping")
def not_a_mapping():
    """The file's document is not a mapping of kind keys (a list, or a bare value).

    Why: a model file says what kinds it holds by its top-level keys.

    Bad:
        - id: SUP
          name: Supplier
    Good:
        roles:
          - id: SUP
            name: Supplier
    """


@code("Y105", "unreadable-file")
def unreadable_file():
    """The file cannot be read as UTF-8 text (wrong encoding, binary content, I/O error).

    Why: model files are UTF-8 text in git; anything else is corrupted or not a
    model file.

    Bad:
        name: Caf\\xe9            # saved as Latin-1
    Good:
        name: Café               # saved as UTF-8
    """


@code("Y106", "forbidden-tag")
def forbidden_tag():
    """A YAML tag other than the standard scalar and collection tags.

    Why: tags such as `!!python/object` ask a loader to build arbitrary objects; a
    model file has no need for them and they are refused rather than run.

    Bad:
        role: !!python/object:os.system [echo]
    Good:
        role: {id: SUP, name: Supplier, category: supplier}
    """


@code("Y107", "structure-too-large")
def structure_too_large():
    """Aliases expand far beyond the file's size, or the structure nests too deeply.

    Why: an "alias bomb" or thousands of nested brackets exhaust memory or crash the
    parser; no model file needs either.

    Bad:
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    Good:
        a: [x, x, x]
    """


@code("Y108", "file-too-large")
def file_too_large():
    """The file is larger than 20 MiB.

    Why: model files are small and written by people; a huge file is generated or
    misplaced, and reading it would stall validation.

    Bad:
        a 50 MiB export dropped into model/
    Good:
        one file per process or interface
    """
