"""Codes of the schema pass (defect class 2): each entity against its kind's JSON Schema."""

from mhhsarch.checks.rule import code


@code("S201", "missing-field")
def missing_field():
    """A required field is missing.

    Why: documents and diagrams need it; DESIGN section 1 lists the required fields of
    each kind in bold.

    Bad:
        role: {id: SUP, name: Supplier}
    Good:
        role: {id: SUP, name: Supplier, category: supplier}
    """


@code("S202", "wrong-type")
def wrong_type():
    """A value has the wrong type (text where a list is expected, `yes` for a boolean, ...).

    Why: every later stage relies on the shape. Note that `yes`/`no`/`on`/`off` are
    text here, not booleans: write `true`/`false`.

    Bad:
        security: {personal_data: yes}
    Good:
        security: {personal_data: true}
    """


@code("S203", "unknown-field")
def unknown_field():
    """A field that the kind does not have.

    Why: usually a misspelling, whose value would be silently ignored. Own extra
    fields are allowed when their name starts with `x-`.

    Bad:
        role: {id: SUP, name: Supplier, category: supplier, catgory: agent}
    Good:
        role: {id: SUP, name: Supplier, category: supplier, x-legacy-name: Supplier}
    """


@code("S204", "not-in-enumeration")
def not_in_enumeration():
    """A value outside its enumeration (status, transport, category, type, ...).

    Why: the allowed values drive rendering and checks; anything else is a typo.

    Bad:
        interface: {transport: dip}
    Good:
        interface: {transport: DIP}
    """


@code("S205", "bad-id")
def bad_id():
    """An id, or a reference to one, does not match its kind's id pattern.

    Why: ids become file names and document numbers; the patterns keep them
    readable and safe (no `../`, spaces or lower case).

    Bad:
        process: {id: ../../etc/passwd}
    Good:
        process: {id: BP001}
    """


@code("S206", "value-constraint")
def value_constraint():
    """A value breaks another schema constraint (empty list, negative number, bad date, repeated entry).

    Why: such values make the published documents wrong or empty.

    Bad:
        interface: {receivers: []}
    Good:
        interface: {receivers: [SUP]}
    """


@code("S207", "unknown-rule-code")
def unknown_rule_code():
    """`rules:` in mhhsarch.yaml names a rule code that does not exist.

    Why: a misspelt code changes nothing, silently: the rule meant to be turned
    off or down still fires, or the one meant to be an error stays a warning.
    `mhhsarch rules` lists the codes.

    Bad:
        rules:
          W8O4: off        # letter O, not zero
    Good:
        rules:
          W804: off
    """
