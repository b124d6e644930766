"""Codes reported while reading files (defect class 1): the file is not a usable model file, or the
loader refuses an entry of the model folder."""

from mhhsarch.checks.rule import code
from mhhsarch.diagnostics.core import Severity


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
          senders: [SDS]
          senders: [ADS]
    Good:
        interface:
          id: IF-021
          senders: [SDS, ADS]
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
    """A model file or folder cannot be read (permissions, I/O error, a broken symlink), or the file is not UTF-8 text.

    Why: model files are UTF-8 text in git; anything else is corrupted or not a
    model file, and a folder that cannot be listed hides every file in it.

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


@code("Y109", "key-not-text")
def key_not_text():
    """A mapping key is a number, a boolean, empty (null) or a list, not text.

    Why: field names, rule codes and every key of the model are text (the JSON
    Schemas and the documents need them so); `1:` or `true:` is usually a value
    written where a key should be. The entry is left out.

    Bad:
        interface:
          id: IF-021
          1: first draft
    Good:
        interface:
          id: IF-021
          x-history: {"1": first draft}
    """


@code("Y110", "outside-model-folder")
def outside_model_folder():
    """A symbolic link in the model folder leads to a file or folder outside it.

    Why: the model is what is in its folder (and in git); a link out of it could
    publish any file on the machine, such as a secrets file, in diagnostics and
    documents. The target is never read. Links that stay inside the folder are
    followed.

    Bad:
        model/interfaces/shared.yaml -> /home/me/notes.yaml
    Good:
        model/interfaces/shared.yaml  (the file itself, in git)
    """


@code("Y111", "not-a-regular-file")
def not_a_regular_file():
    """A model file name (*.yaml, *.yml) names a FIFO, socket or device, not a regular file.

    Why: such an entry has no content to check, and opening a FIFO waits forever
    for a writer; it is reported and never opened.

    Bad:
        mkfifo model/roles.yaml
    Good:
        model/roles.yaml as a plain file
    """


@code("Y112", "empty-model")
def empty_model():
    """The model folder holds no model files.

    Why: validating nothing would report "no problems"; usually the wrong folder
    was named, or the files have another extension.

    Bad:
        mhhsarch validate docs/        # no *.yaml below it
    Good:
        mhhsarch validate model/
    """


@code("Y113", "number-read-differently", Severity.WARNING)
def number_read_differently():
    """An unquoted value that YAML readers turn into different numbers, or into a number and text.

    Why: mhhsarch reads unquoted values as YAML 1.2 does, like the editor
    (yaml-language-server), but other tools that read the same file do not all agree:
    PyYAML (YAML 1.1) reads `010` as 8, `1_000` as 1000 and `12:30` as 750;
    ruamel.yaml (check-jsonschema) reads `1_000` and `0b11` as numbers, which YAML 1.2
    reads as text. A script, a report or a second validator would then see another
    value than the one reviewed. Quote the value if it is text, or write the number
    the way every reader reads it.

    Bad:
        x-peak_messages: 30_000_000
        x-cut_off: 17:30
        x-code: 010
    Good:
        x-peak_messages: 30000000
        x-cut_off: "17:30"
        x-code: "010"
    """
