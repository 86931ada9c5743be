"""Found by reading every hunk of the first `rewrite --apply` on held-out 7 of the real-code corpus
(docs/VALIDATION.md, "Rewriter on held-out 7"), as before/after tests on our own code:

- a C# `Zoho-authtoken` header filled in by `string.Format(c, "Zoho-authtoken {0}", authToken)` was taken for an
  interpolated string (C#'s opener is `{`), so the format string itself became the token helper's value and the
  authtoken stayed behind as an unused argument (a token with a brace in it would have thrown). A positional slot
  (`{0}`, `{}`) is a format call's, never an interpolated name: the request now stays every byte, with its TODO.
  `$"Zoho-authtoken {authToken}"` is still migrated whole.
"""

from __future__ import annotations

from tests.rewrite.support import rewrite_one

TODO = "TODO(zoho-migrate)"
NOT_MIGRATED = "TODO(zoho-migrate): not migrated"

FORMATTED = """using System.Globalization;
using System.Net.Http;

public static class Setup
{
    public static void Configure(HttpClient httpClient, string authToken)
    {
        httpClient.BaseAddress = new System.Uri("https://desk.zoho.com/api/v1/");
        httpClient.DefaultRequestHeaders.Add("authorization", string.Format(CultureInfo.InvariantCulture, "Zoho-authtoken {0}", authToken));
    }
}
"""


def _code(text: str) -> list[str]:
    return [line for line in text.split("\n") if TODO not in line]


def test_a_positional_format_slot_after_the_scheme_leaves_the_request_whole(ruleset) -> None:
    result = rewrite_one(ruleset, "csharp", FORMATTED, "Setup.cs", None, annotate=True)
    assert _code(result.text) == _code(FORMATTED)
    assert result.text.count(NOT_MIGRATED) == 1 and "`Zoho-authtoken {0}`" in result.text


def test_an_interpolated_csharp_header_is_still_migrated_whole(ruleset) -> None:
    text = FORMATTED.replace(
        'string.Format(CultureInfo.InvariantCulture, "Zoho-authtoken {0}", authToken)', '$"Zoho-authtoken {authToken}"'
    )
    result = rewrite_one(ruleset, "csharp", text, "Setup.cs", None, annotate=True)
    assert "Zoho-authtoken" not in result.text.replace(TODO, "")
    assert "ZohoAuth.Authorization()" in result.text


TICKET_CLIENT = """require 'net/http'

def insert_records(ticket)
  apikey = "49a194168c33db421fc4beb7d30cc135"
  uri = URI("https://crm.zoho.com/crm/private/xml/Products/insertRecords?ticket=#{ticket}&apikey=#{apikey}")
  Net::HTTP.post_form(uri, 'xmlData' => '<Products/>')
end
"""


def test_a_hardcoded_apikey_moves_to_an_environment_variable_named_for_an_apikey(ruleset) -> None:
    """`apikey = "49a1..."` of a ticket-era client left as it was: the value leaves the code, read from ZOHO_APIKEY
    (not ZOHO_AUTHTOKEN), and the step says an apikey was moved."""
    result = rewrite_one(ruleset, "ruby", TICKET_CLIENT, "insert.rb", None, annotate=True)
    assert "49a194168c33db421fc4beb7d30cc135" not in result.text
    assert 'ENV.fetch("ZOHO_APIKEY", "")' in result.text and "ZOHO_AUTHTOKEN" not in result.text
    assert "the hardcoded apikey was replaced by an environment lookup of ZOHO_APIKEY (set it while code left as it was still sends an apikey)" in result.text
