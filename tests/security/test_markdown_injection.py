"""The Markdown report escapes every value from the scanned tree or the command line: a title or a folder name
cannot inject HTML, links, images or headings into a pull-request comment."""

from __future__ import annotations

import re
from pathlib import Path

from tests.security.conftest import LEGACY, run_in_process

EVIL = '<img src=x onerror=alert(1)> [click](https://evil.example) ![i](https://evil.example/i.png)'


def _report(tmp_path: Path, *args: str) -> str:
    ran = run_in_process("report", *args, "-o", "-", "--format", "markdown", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_title_option_is_escaped(project: Path, tmp_path: Path) -> None:
    text = _report(tmp_path, str(project), "--title", EVIL + "\n## injected heading")
    title = text.splitlines()[1]
    assert title.startswith("# ") and "<img" not in text and "&lt;img" in title
    assert "](https://evil.example)" not in text and "\\[click\\]" in title
    assert "\n## injected heading" not in text


def test_folder_and_file_names_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "a`b <img src=x> [x](https:evil)"
    folder.mkdir()
    (folder / "`x` <b>bold<b>.py").write_text(LEGACY)
    text = _report(tmp_path, str(folder))
    unfenced = re.sub(r"^(`{3,})diff\n.*?^\1$", "", text, flags=re.M | re.S)  # fenced blocks: plain text
    outside_code = re.sub(r"<code>.*?</code>", "", re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", unfenced))
    assert "<img" not in outside_code and "<b>" not in outside_code  # inside a code span HTML is plain text
    title = text.splitlines()[1]
    assert "\\[x\\]" in title and "&lt;img" in title
    heading = next(line for line in text.splitlines() if line.startswith("### ") and ".py" in line)
    assert heading.startswith("### ``") and heading.endswith("``")  # a code span its backticks cannot close
