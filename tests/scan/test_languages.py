"""Each language and config type: recognised by name, extension, template suffix or shebang; legacy code in it is
flagged, the same text in a comment (tree-sitter grammars, or comment markers from rules/languages.yaml) is not."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from migrate.ruleset import load_ruleset
from migrate.scan.languages import LanguageIndex
from tests.scan.helpers import lines

RULES = load_ruleset()
INDEX = LanguageIndex(RULES.languages, RULES.scan.template_suffixes)


@pytest.mark.parametrize(
    ("name", "head", "language"),
    [
        ("sync.py", b"", "python"), ("client.js", b"", "javascript"), ("client.mjs", b"", "javascript"),
        ("client.ts", b"", "typescript"), ("View.tsx", b"", "tsx"), ("crm.coffee", b"", "coffeescript"),
        ("crm.php", b"", "php"), ("config.inc", b"", "php"), ("Billing.java", b"", "java"),
        ("Billing.cs", b"", "csharp"), ("Module1.vb", b"", "vb"), ("crm.rb", b"", "ruby"), ("Gemfile", b"", "ruby"),
        ("crm.go", b"", "go"), ("backup.sh", b"", "shell"), ("zoho-report", b"#!/usr/bin/env bash\n", "shell"),
        ("sync", b"#!/usr/bin/python3\n", "python"), ("fn.dg", b"", "deluge"), ("fn.ds", b"", "deluge"),
        (".env", b"", "env"), (".env.production", b"", "env"), (".env.sample", b"", "env"),
        ("settings.yaml", b"", "yaml"), ("ci.yml", b"", "yaml"), ("config.json", b"", "json"),
        ("zoho.postman_collection.json", b"", "json"), ("app.ini", b"", "ini"), ("legacy.cfg", b"", "ini"),
        ("application.properties", b"", "properties"), ("Web.config", b"", "xml"), ("app.xml", b"", "xml"),
        ("config.json.example", b"", "json"), ("settings.yml.dist", b"", "yaml"), ("zoho.ini.default", b"", "ini"),
        ("app.properties.template", b"", "properties"), ("config.php.sample", b"", "php"),
        ("README.md", b"", "markdown"), ("guide.rst", b"", "rst"), ("CHANGES.rdoc", b"", "rdoc"),
        ("notes.txt", b"", "text"), ("requirements.txt", b"", "requirements"), ("page.html", b"", "html"),
        ("guide.adoc", b"", "asciidoc"), ("auth.ex", b"", "elixir"), ("ZCAuth.m", b"", "cfamily"),
        ("Client.swift", b"", "cfamily"), ("api.dart", b"", "cfamily"),
    ],
)
def test_language_detection(name, head, language):
    detected = INDEX.detect(PurePath("some/dir") / name, head)
    assert detected is not None and detected.name == language


def test_unknown_text_files_are_not_detected_by_name():
    # the engine reads them as `other` (generic code with `#` comments) rather than skipping them
    assert INDEX.detect(PurePath("data.unknownext"), b"") is None
    assert "other" in RULES.languages


LEGACY = 'u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t'

# (language, a legacy line of code, the same thing commented out or explained in a comment)
CASES = [
    ("python", LEGACY, "# " + LEGACY),
    ("python", LEGACY, '"""Calls https://invoice.zoho.com/api/items/ with the authtoken (old)."""'),
    ("javascript", "const " + LEGACY + ";", "/* " + LEGACY + " */"),
    ("typescript", "const " + LEGACY + ";", "// " + LEGACY),
    ("tsx", "const " + LEGACY + ";", "// " + LEGACY),
    ("coffeescript", LEGACY, "###\n" + LEGACY + "\n###"),
    ("php", "<?php $" + LEGACY.replace("+", ".") + ";", "<?php\n# $" + LEGACY.replace("+", ".")),
    ("java", 'String u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t;',
     '/** https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken= */'),
    ("csharp", 'var u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t;',
     '// var u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t;'),
    ("vb", 'Dim u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" & t',
     "' Dim u = \"https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=\" & t"),
    ("ruby", LEGACY, "=begin\n" + LEGACY + "\n=end"),
    ("go", 'u := "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t',
     '// u := "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t'),
    ("shell", 'curl "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=$T"',
     '# curl "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=$T"'),
    ("deluge", 'r = getUrl("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t);',
     '// r = getUrl("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t);'),
    ("cfamily", 'NSString *u = @"https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=";',
     '// NSString *u = @"https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=";'),
    ("elixir", '@auth_endpoint "https://accounts.zoho.com/apiauthtoken/nb/create"',
     '# @auth_endpoint "https://accounts.zoho.com/apiauthtoken/nb/create"'),
    ("html", '<a href="https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=x">old</a>',
     '<!-- https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=x -->'),
    ("env", "ZOHO_CRM_URL=https://crm.zoho.com/crm/private/json/", "# ZOHO_CRM_URL=https://crm.zoho.com/crm/private/json/"),
    ("yaml", "crm_url: https://crm.zoho.com/crm/private/json/", "# crm_url: https://crm.zoho.com/crm/private/json/"),
    ("json", '{"crm_url": "https://crm.zoho.com/crm/private/json/"}', '// "https://crm.zoho.com/crm/private/json/"'),
    ("ini", "crm_url = https://crm.zoho.com/crm/private/json/", "; crm_url = https://crm.zoho.com/crm/private/json/"),
    ("properties", "zoho.crm.url=https://crm.zoho.eu/crm/private/xml/", "! zoho.crm.url=https://crm.zoho.eu/crm/private/xml/"),
    ("xml", '<add key="CrmUrl" value="https://crm.zoho.com/crm/private/json/" />',
     '<!-- <add key="CrmUrl" value="https://crm.zoho.com/crm/private/json/" /> -->'),
]


@pytest.mark.parametrize(("language", "code", "comment"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_code_flagged_comment_not(language, code, comment):
    from tests.scan.helpers import match

    assert lines(code, language), f"{language}: legacy code not flagged"
    # rules that read only comments (`in_comments: only`, e.g. authtoken-generation docblocks) are the exception
    comment_only = {r.id for r in RULES.rules if r.matcher.only_comments}
    flagged = {f.line for f in match(comment, language) if f.rule_id not in comment_only}
    assert not flagged, f"{language}: a comment was flagged"


@pytest.mark.parametrize("language", ["markdown", "rst", "rdoc", "text", "asciidoc"])
def test_docs_are_scanned_at_info(language):
    from tests.scan.helpers import match

    findings = match("Old call: https://invoice.zoho.com/api/items/?authtoken=TOKEN&scope=invoiceapi", language)
    assert findings and {f.severity for f in findings} == {"info"}


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("text", 'm.put("authtoken", token);\nr = postUrl("https://invoice.zoho.com/api/v3/invoices", m);'),
        ("markdown", '```deluge\nresp = getUrl("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t);\n```'),
        ("python", 'BODY = """\nresp = getUrl("https://creator.zoho.com/api/json/app/view/All?authtoken=" + t);\n"""'),
        ("javascript", 'const fn = `invokeurl [ url: "https://books.zoho.com/api/v3/items?authtoken=" + t type: GET ]`;'),
    ],
)
def test_deluge_pasted_into_other_files(language, code):
    assert lines(code, language)


def test_string_that_looks_like_a_comment_is_code():
    assert lines('s = "# " + "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t', "python")
    assert lines('curl "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=$T#frag"', "shell")


@pytest.mark.parametrize("language", ["python", "php", "javascript", "ruby"])
def test_comments_found_after_non_ascii_text(language):
    # tree-sitter counts bytes: offsets after é/ü must still land in the right comment
    prefix = "<?php\n" if language == "php" else ""
    hash_or_slash = "//" if language in ("php", "javascript") else "#"
    code = (
        f'{prefix}a = "ééé üü"; {hash_or_slash} u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken="\n'
        'b = "çà"; u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t\n'
    )
    assert lines(code, language) == {3 if prefix else 2}
