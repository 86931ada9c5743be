"""A wrong hunk and a noisy class found by reading every hunk of the first `rewrite --apply` on held-out 5 of the real-code corpus
(docs/VALIDATION.md, "Rewriter on held-out 3, 4 and 5"), as a before/after test on our own code:

- a config module's hardcoded authtoken that another file still reads became `zoho_token = ''`: the requests left as
  they were (the other file's) then sent an empty token. It is now replaced by the same environment lookup as a token
  read in its own file, and the TODO names the other file.
- noisy: a Zoho Support v1 reply read in a module that names no URL of its own got the CRM v2 / Books v3 reply step;
  the project's one product now picks the step (Support's says Desk).
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


def test_a_support_reply_read_in_another_module_gets_the_desk_step(tmp_path) -> None:
    """`main.py` reads the v1 reply `zoho.py` fetched from Zoho Support: its step names Desk, not CRM v2 / Books v3
    (the file names no URL of its own; the project's one product says whose reply it is)."""
    from tests.rewrite.test_fixture_projects import run_in_process

    (tmp_path / "zoho.py").write_text(
        "import requests\n\n\ndef send(method, token):\n"
        "    return requests.get('https://support.zoho.com/api/json/cases/' + method,\n"
        "                        params={'authtoken': token, 'portal': 'acme'}).json()\n",
        encoding="utf-8",
    )
    (tmp_path / "main.py").write_text(
        "from zoho import send\n\n\ndef cases(token):\n"
        "    reply = send('getrecords', token)\n"
        "    return reply['response']['result']['Cases']['row']\n",
        encoding="utf-8",
    )
    result = run_in_process("rewrite", "--apply", ".", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    todos = [line for line in (tmp_path / "main.py").read_text(encoding="utf-8").split("\n") if "TODO(zoho-migrate)" in line]
    assert todos and all("Zoho Desk" in line for line in todos)
    assert not any("CRM v2" in line for line in todos)
