"""Source files of every supported language and config type, built to stress the scanner and the rewriter.

Shared by the property-based tests (a `Draw` over hypothesis' `data.draw`) and bench/fuzz_tree.py (a `Draw` over
`random.Random`), so a crash the bench finds can be replayed by the tests' generators. Each file mixes legacy
Zoho URLs of every product and data center (read from rules/endpoints and rules/datacenters.yaml), credentials in
every spelling and interpolation style, comments, heredocs, unterminated literals, deep nesting and long lines,
then is encoded the ways real repositories store text, broken ones included.
"""

from __future__ import annotations

import codecs
import random
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

RULES = Path(__file__).resolve().parents[2] / "rules"
T = TypeVar("T")


class Draw(Protocol):
    def choice(self, items: Sequence[T]) -> T: ...
    def integer(self, low: int, high: int) -> int: ...


class RandomDraw:
    """Draws from a seeded random.Random (the bench)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.random.randrange(len(items))]

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)


class HypothesisDraw:
    """Draws through hypothesis' `data` object, so failures shrink and replay."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def choice(self, items: Sequence[T]) -> T:
        return self.data.draw(self.st.sampled_from(items))

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))


@lru_cache(maxsize=1)
def legacy_urls() -> tuple[str, ...]:
    """One URL per legacy endpoint family and data center, placeholders filled with plausible values."""
    centers = yaml.safe_load((RULES / "datacenters.yaml").read_text(encoding="utf-8"))["datacenters"]
    urls = []
    for path in sorted((RULES / "endpoints").glob("*.yaml")):
        section = yaml.safe_load(path.read_text(encoding="utf-8")).get("endpoints") or {}
        hosts = section.get("legacy_hosts") or []
        for family in section.get("families") or []:
            legacy_path = str((family.get("legacy") or {}).get("path") or "/")
            legacy_path = legacy_path.replace("{format}", "json").replace("{module}", "Leads")
            legacy_path = re.sub(r"\{[^}]*\}", "12345", legacy_path)
            for center in centers:
                for host in hosts:
                    host = host.replace("{domain}", center["domain"]).replace("{accounts}", center["accounts"])
                    urls.append(f"https://{host}{legacy_path}")
    return tuple(urls)


PARAMS = ("authtoken", "AUTHTOKEN", "apikey", "ticket", "scope", "authToken")
SECRET = "0123456789abcdef0123456789abcdef"

# per language: extension, line comment, block comment, and statement templates. {url} a legacy URL, {p} a
# credential parameter, {v} a variable name, {s} a literal 32-hex token, {i} the language's interpolation of {v}
LANGUAGES: dict[str, dict[str, Any]] = {
    "python": {"ext": ".py", "line": "#", "block": ('"""', '"""'), "i": "{{{v}}}", "stmts": [
        'r = requests.get("{url}?{p}=" + {v})', 'r = requests.get(f"{url}?{p}={i}&scope=crmapi")',
        'params = {{"{p}": {v}, "scope": "ZohoInvoice.invoicesapi"}}', 'h = {{"Authorization": "Zoho-authtoken %s" % {v}}}',
        'u = "{url}?{p}=%s" % {v}', 'requests.post("{url}", data={{"{p}": "{s}"}})', '{v} = "{s}"',
        'def f({v}):\n    return requests.get("{url}", params={{"{p}": {v}}})', 'x = "{url}?{p}={s}']},
    "javascript": {"ext": ".js", "line": "//", "block": ("/*", "*/"), "i": "${{{v}}}", "stmts": [
        'fetch(`{url}?{p}={i}`)', 'const o = {{ {p}: {v}, url: "{url}" }};', "$.ajax({{url: '{url}', data: {{{p}: {v}}}}});",
        'xhr.setRequestHeader("Authorization", "Zoho-authtoken " + {v});', 'var u = "{url}?{p}=" + {v} + "&x=1";',
        '{p}: {v},', 'const q = `{url}?{p}=${{', "let s = '{url}?{p}={s}"]},
    "typescript": {"ext": ".ts", "line": "//", "block": ("/*", "*/"), "i": "${{{v}}}", "stmts": [
        'const r = await fetch(`{url}?{p}={i}`);', 'function f({p}: string) {{ return {{ {p}: {p} }}; }}',
        'const h: Record<string, string> = {{ Authorization: `Zoho-authtoken {i}` }};', 'zoho\n{p}: {v},']},
    "php": {"ext": ".php", "head": "<?php\n", "line": "//", "block": ("/*", "*/"), "i": "{{${v}}}", "stmts": [
        '$u = "{url}?{p}={i}";', '$h = "Zoho-authtoken {i}";', '$r = file_get_contents("{url}?{p}=" . ${v});',
        "curl_setopt($ch, CURLOPT_POSTFIELDS, array('{p}' => ${v}));", '$x = simplexml_load_string($resp);',
        '$t = <<<EOT\n{url}?{p}={i}\nEOT;', '$q = "{url}?{p}={i}', '$a = ["{p}" => "{s}"];', '{{$']},
    "java": {"ext": ".java", "line": "//", "block": ("/*", "*/"), "i": '" + {v} + "', "stmts": [
        'String u = "{url}?{p}=" + {v};', 'conn.setRequestProperty("Authorization", "Zoho-authtoken " + {v});',
        'params.put("{p}", {v});', 'String s = """\n{url}?{p}={s}\n""";', 'String.format("{url}?{p}=%s", {v});']},
    "csharp": {"ext": ".cs", "line": "//", "block": ("/*", "*/"), "i": "{{{v}}}", "stmts": [
        'var u = $"{url}?{p}={i}";', 'var d = new Dictionary<string, string> {{ {{"{p}", {v}}} }};',
        'client.DefaultRequestHeaders.Add("Authorization", "Zoho-authtoken " + {v});', 'var v = @"{url}?{p}={s}";']},
    "ruby": {"ext": ".rb", "line": "#", "block": ("=begin\n", "\n=end"), "i": "#{{{v}}}", "stmts": [
        'r = HTTParty.get("{url}?{p}={i}")', 'params = {{ {p}: {v}, "scope" => "crmapi" }}', "u = '{url}?{p}=' + {v}",
        'h = <<~EOS\n  {url}?{p}={i}\nEOS', 'x = "{url}?{p}=#{{']},
    "go": {"ext": ".go", "head": "package main\n", "line": "//", "block": ("/*", "*/"), "i": '" + {v} + "', "stmts": [
        'u := "{url}?{p}=" + {v}', 'q.Set("{p}", {v})', 'req.Header.Set("Authorization", "Zoho-authtoken "+{v})',
        'u := fmt.Sprintf("{url}?{p}=%s", {v})', 'var s = `{url}?{p}={s}`']},
    "shell": {"ext": ".sh", "line": "#", "block": (": '", "'"), "i": "${{{v}}}", "stmts": [
        'curl "{url}?{p}={i}"', "curl -d {p}=${v} '{url}'", 'curl -H "Authorization: Zoho-authtoken ${v}" {url}',
        'cat <<EOF\n{url}?{p}=$' + '{v}\nEOF', 'export ZOHO_{p}={s}', 'x="{url}?{p}=$(cat t']},
    "deluge": {"ext": ".dg", "line": "//", "block": ("/*", "*/"), "i": '" + {v} + "', "stmts": [
        'resp = getUrl("{url}?{p}=" + {v});', 'm = Map();\nm.put("{p}", {v});\nr = postUrl("{url}", m);',
        'r = invokeurl [ url: "{url}?{p}={s}" type: GET ];']},
    "coffeescript": {"ext": ".coffee", "line": "#", "block": ("###", "###"), "i": "#{{{v}}}", "stmts": [
        '$.get "{url}?{p}={i}"', 'data = {p}: {v}, scope: "crmapi"']},
    "env": {"ext": ".env", "line": "#", "block": None, "i": "${{{v}}}", "stmts": [
        'ZOHO_{p}={s}', 'ZOHO_URL={url}?{p}={i}', 'ZOHO_{p}="{s}']},
    "yaml": {"ext": ".yaml", "line": "#", "block": None, "i": "${{{v}}}", "stmts": [
        'zoho:\n  {p}: {s}\n  url: "{url}"', '- url: {url}?{p}={i}', 'key: "unterminated {url}']},
    "json": {"ext": ".json", "line": None, "block": None, "i": "{{{{{v}}}}}", "stmts": [
        '{{"{p}": "{s}", "url": "{url}"}}', '["{url}?{p}={i}"]', '{{"a": {{"b": ["{url}"']},
    "ini": {"ext": ".ini", "line": ";", "block": None, "i": "%({v})s", "stmts": [
        '[zoho]\n{p} = {s}\nurl = {url}', 'url={url}?{p}={i}']},
    "properties": {"ext": ".properties", "line": "#", "block": None, "i": "${{{v}}}", "stmts": [
        'zoho.{p}={s}', 'zoho.url={url}?{p}={i}', 'zoho.url={url}\\\n  ?{p}={s}']},
    "postman": {"ext": ".postman_collection.json", "line": None, "block": None, "i": "{{{{{v}}}}}", "stmts": [
        '{{"item": [{{"request": {{"url": {{"raw": "{url}?{p}={i}", "query": [{{"key": "{p}", "value": "{{{{{v}}}}}"}}]}}}}}}]}}']},
}
ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "utf-16", "odd-utf-16", "lone-surrogate", "cp1252", "nul", "crlf", "cr")
# characters that trip line counting and width assumptions: line/paragraph separators (str.splitlines breaks
# there, "\n" counting does not), zero-width and combining marks, an astral character, form feed, NEL
ODD_CHARS = ("\u2028", "\u2029", "\u200b", "e\u0301", "\U0001d518", "\x0c", "\x85", "\t", "\u00a0", "\ufeff")
VARIABLES = ("t", "token", "authToken", "this.token", "$t", "self.tok")


def _statement(draw: Draw, spec: dict[str, Any]) -> str:
    variable = draw.choice(VARIABLES)
    if "$" in variable and spec["ext"] != ".php":
        variable = variable.lstrip("$")
    fields = {"url": draw.choice(legacy_urls()), "p": draw.choice(PARAMS), "v": variable.lstrip("$"), "s": SECRET}
    fields["i"] = spec["i"].format(v=fields["v"])
    return str(draw.choice(spec["stmts"])).format(**fields)


def _wrap(draw: Draw, spec: dict[str, Any], text: str, clean: bool = False) -> str:
    """Comment the statement out, nest it deeply, or repeat it on one long line (`clean`: at most comment it)."""
    shape = draw.integer(0, 1 if clean else 7)
    if shape == 1 and spec["line"]:
        return "\n".join(f"{spec['line']} {line}" for line in text.split("\n"))
    if shape == 2 and spec["block"]:
        return f"{spec['block'][0]} {text} {spec['block'][1]}"
    if shape == 3:
        depth = draw.integer(1, 120)
        return "f(" * depth + "[{" + text + "}]" + ")" * draw.integer(0, depth)
    if shape == 4:
        return " ".join([text.replace("\n", " ")] * draw.integer(2, 400))
    if shape == 5:
        return "{" * draw.integer(0, 50) + "$" + text + "{$" * draw.integer(0, 30)
    if shape == 6:  # an odd character at a random place, possibly inside the URL or the parameter name
        cut = draw.integer(0, len(text))
        return text[:cut] + draw.choice(ODD_CHARS) + text[cut:]
    if shape == 7:  # minified: the statement and its copies on one line, separators squeezed
        return ";".join([text.replace("\n", ";")] * draw.integer(2, 50)).replace(" = ", "=")
    return text


def _encode(draw: Draw, text: str) -> bytes:
    encoding = draw.choice(ENCODINGS)
    if encoding == "utf-16":
        return text.encode("utf-16")
    if encoding == "odd-utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-8")[: draw.integer(0, 40) * 2 + 1]
    if encoding == "lone-surrogate":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le")
    if encoding == "cp1252":
        return text.encode("utf-8") + b"\n# caf\xe9 \x93quoted\x94 \x81\n"
    if encoding == "nul":
        data = text.encode("utf-8")
        cut = draw.integer(0, len(data))
        return data[:cut] + b"\x00" + data[cut:]
    if encoding == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if encoding == "cr":
        return text.replace("\n", "\r").encode("utf-8")
    return text.encode(encoding, errors="surrogateescape")


def source(draw: Draw) -> tuple[str, str, bytes]:
    """(language key, file name suffix, content): a file in one language with 1-6 stressed statements."""
    key = draw.choice(sorted(LANGUAGES))
    spec = LANGUAGES[key]
    body = [_wrap(draw, spec, _statement(draw, spec)) for _ in range(draw.integer(1, 6))]
    text = spec.get("head", "") + "\n".join(body) + draw.choice(("\n", "", "\n\n", "\\"))
    return key, spec["ext"], _encode(draw, text)


def text_source(draw: Draw) -> tuple[str, str, str]:
    """(language key, suffix, text) before any byte encoding, mostly well-formed statements (only commented out,
    never mangled): for checking that a rewrite keeps a parsing file parsing."""
    key = draw.choice(sorted(LANGUAGES))
    spec = LANGUAGES[key]
    body = [_wrap(draw, spec, _statement(draw, spec), clean=True) for _ in range(draw.integer(1, 6))]
    return key, spec["ext"], spec.get("head", "") + "\n".join(body) + "\n"
