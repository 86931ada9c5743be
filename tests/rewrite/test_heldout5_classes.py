"""A wrong hunk found by reading every hunk of the first `rewrite --apply` on held-out 5 of the real-code corpus
(docs/VALIDATION.md, "Rewriter on held-out 3, 4 and 5"), as a before/after test on our own code:

- a config module's hardcoded authtoken that another file still reads became `zoho_token = ''`: the requests left as
  they were (the other file's) then sent an empty token. It is now replaced by the same environment lookup as a token
  read in its own file, and the TODO names the other file.
"""

from __future__ import annotations

from tests.rewrite.support import rewrite_one

CONFIG = "import os\n\n# Zoho Support\nzoho_token = '0123456789abcdef0123456789abcdef'\nzoho_portal = 'acme'\n"
CLIENT = (
    "import requests\nfrom config import zoho_token, zoho_portal\n\n\ndef cases():\n"
    "    return requests.get('https://support.zoho.com/api/json/cases/getrecords',\n"
    "                        params={'authtoken': zoho_token, 'portal': zoho_portal})\n"
)


def test_a_token_another_file_reads_moves_to_the_environment_not_to_an_empty_string(ruleset) -> None:
    result = rewrite_one(ruleset, "python", CONFIG, "config.py", {"zoho.py": CLIENT}, annotate=True)
    assert "0123456789abcdef" not in result.text
    assert "zoho_token = ''" not in result.text
    assert "ZOHO_AUTHTOKEN" in result.text.split("zoho_token = ", 1)[1].split("\n", 1)[0]
    assert any("zoho.py" in step.text and "environment lookup" in step.text for step in result.manual)
