"""One decision for "can this `Zoho-authtoken` value be replaced whole": the planner blocks exactly the forms the
oauth-header pass leaves alone (both call `migrate.requests.headerform.header_form`; the whole-request behaviour of
the `%` and `Sprintf` forms is in test_heldout2_classes)."""

from __future__ import annotations

import pytest

from migrate.requests.headerform import SCHEME, header_form

CASES = [
    ('h = {"Authorization": "Zoho-authtoken " + token}', ("+",), (), "concat"),
    ("$h = 'Zoho-authtoken ' . $token;", (".",), ("{$",), "concat"),
    ('h = `Zoho-authtoken ${token}`', ("+",), ("${",), "interpolation"),
    ('h = "Zoho-authtoken $TOKEN"', ("+",), (), "splice"),
    ('h = "Zoho-authtoken 0123456789abcdef0123456789abcdef"', ("+",), (), "splice"),
    ('h = fmt.Sprintf("Zoho-authtoken %s", t)', ("+",), (), None),
    ('h = "Zoho-authtoken %s" % t', ("+",), (), None),
    ('h = "Zoho-authtoken ".join(x)', ("+",), (), None),
    # positional format slots: String.Format / str.format fill them in, whatever the language's interpolation opener
    ('h.Add("authorization", string.Format(c, "Zoho-authtoken {0}", authToken));', ("+",), ("{",), None),
    ('h = "Zoho-authtoken {}".format(t)', ("+",), ("{",), None),
    ('h = f"Zoho-authtoken {token}"', ("+",), ("{",), "interpolation"),
    ('h.Add("authorization", $"Zoho-authtoken {authToken}");', ("+",), ("{",), "interpolation"),
]


@pytest.mark.parametrize(("line", "concat", "interpolation", "kind"), CASES)
def test_header_forms(line: str, concat: tuple[str, ...], interpolation: tuple[str, ...], kind: str | None) -> None:
    m = SCHEME.search(line)
    assert m is not None
    form = header_form(line, m, concat, interpolation)
    assert (form.kind if form else None) == kind

