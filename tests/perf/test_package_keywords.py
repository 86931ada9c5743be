"""The package index answers "does this sibling hold a context keyword?" from one pass over the bytes; the answer
is the one the lower-cased text gives (scan/package.py), Unicode case folding included."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.scan.package import PackageIndex

TEXTS = {
    "plain.py": "client = ZohoClient()\n",
    "upper.py": "URL = 'HTTPS://CRM.ZOHO.COM/CRM/PRIVATE/XML/'\n",
    "kelvin.py": "x = 'ZOHO_\u212aEY'\n",  # KELVIN SIGN: lower() gives 'k'
    "dotted.py": "\u0130NSERTRECORDS = 1\n",  # U+0130: lower() gives 'i' + U+0307
    "broken.py": b"zo\xffho insert\xc4records\n",
    "none.py": "import os\n",
    "spaced.py": "see Zoho  Invoice and zoho invoice\n",
}
KEYWORD_SETS = [
    ("zoho",),
    ("/private/xml/", "insertrecords"),
    ("zoho_key",),
    ("zoho invoice", "zohoinvoice"),
    ("i\u0307nsertrecords",),  # not ASCII: the text decides
    (),
]


@pytest.mark.parametrize("keywords", KEYWORD_SETS)
def test_sibling_keywords_from_bytes_match_the_text(tmp_path: Path, keywords: tuple[str, ...]) -> None:
    for name, text in TEXTS.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    index = PackageIndex(frozenset({".py"}))
    siblings = index._folder(str(tmp_path))
    assert len(siblings) == len(TEXTS)
    for sibling in siblings:
        expected = any(k in Path(sibling.path).read_bytes().decode("utf-8", "replace").lower() for k in keywords)
        assert index._holds(sibling, keywords) is expected, (sibling.path, keywords)


def test_the_fold_characters_are_caught(tmp_path: Path) -> None:
    (tmp_path / "kelvin.py").write_text("x = 'ZOHO_\u212aEY'\n", encoding="utf-8")
    index = PackageIndex(frozenset({".py"}))
    (sibling,) = index._folder(str(tmp_path))
    assert index._holds(sibling, ("zoho_key",))  # only the text has it: 'zoho_\u212aey'.lower() == 'zoho_key'
    assert sibling._text is not None  # and the text was needed to tell
