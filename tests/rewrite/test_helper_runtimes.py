"""The generated token helpers of the compiled/other runtimes, run against the emulator where the runtime is
installed (scripts/ci-runtimes.sh installs php-cli, ruby and golang-go in CI); otherwise parse-checked with
tree-sitter so a broken template never ships."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from migrate.parsing import has_error
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.helpers import render_helper
from tests.rewrite.test_emulator_runs import _oauth_env
from tests.runtimes import requires_tool


def _helper(ruleset, language: str, directory: Path, package: str | None = None) -> Path:
    data = FixData(ruleset)
    fixes = data.language(language)
    target = directory / fixes.get("helper")["file"]
    target.write_text(render_helper(data, fixes, "us", package))
    return target


def _token_requests(emulator) -> int:
    return len([e for e in emulator.log if e.path == "/oauth/v2/token"])


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


@pytest.mark.parametrize(
    ("language", "grammar"),
    [
        ("php", "tree_sitter_php:language_php"),
        ("ruby", "tree_sitter_ruby"),
        ("go", "tree_sitter_go"),
        ("java", "tree_sitter_java"),
        ("csharp", "tree_sitter_c_sharp"),
        ("javascript", "tree_sitter_javascript"),
        ("shell", "tree_sitter_bash"),
    ],
)
def test_helper_parses(ruleset, tmp_path: Path, language: str, grammar: str) -> None:
    helper = _helper(ruleset, language, tmp_path, "example")
    text = helper.read_text()
    assert not has_error(grammar, text)
    assert "/oauth/v2/token" in text and "Zoho-oauthtoken" in text and "ZOHO_REFRESH_TOKEN" in text


@requires_tool("javac", "java")
def test_java_helper_calls_the_v3_api(emulator, tmp_path: Path, ruleset) -> None:
    _helper(ruleset, "java", tmp_path)
    emulator.faults.fail_next(1, status=503, path="/oauth/v2/token")  # the helper retries it
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    (tmp_path / "Main.java").write_text(
        "import java.net.URI;\nimport java.net.http.*;\n"
        "public class Main {\n  public static void main(String[] a) throws Exception {\n"
        "    String first = ZohoAuth.accessToken();\n"
        "    if (!first.equals(ZohoAuth.accessToken())) throw new IllegalStateException(\"not cached\");\n"
        f'    HttpRequest r = HttpRequest.newBuilder(URI.create("{url}"))'
        '.header("Authorization", ZohoAuth.authorization())'
        '.header("X-com-zoho-invoice-organizationid", ZohoAuth.organizationId()).build();\n'
        "    System.out.println(HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body());\n"
        "  }\n}\n"
    )
    env = _oauth_env(emulator, tmp_path / "cache")
    _run(["javac", "-d", "out", "Main.java", "ZohoAuth.java"], tmp_path, env)
    body = json.loads(_run(["java", "-cp", "out", "Main"], tmp_path, env))
    assert body["code"] == 0 and body["items"]
    assert _token_requests(emulator) == 2  # one refused with 503, then one refresh for every caller


@requires_tool("php")
def test_php_helper_calls_the_v3_api(emulator, tmp_path: Path, ruleset) -> None:
    _helper(ruleset, "php", tmp_path)
    emulator.faults.fail_next(1, status=503, path="/oauth/v2/token")  # the helper retries it
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    (tmp_path / "main.php").write_text(
        "<?php\nrequire_once __DIR__ . '/zoho_auth.php';\n"
        "$t = zoho_access_token();\nif ($t !== zoho_access_token()) { throw new RuntimeException('not cached'); }\n"
        "$ctx = stream_context_create(['http' => ['header' => 'Authorization: ' . zoho_authorization() . \"\\r\\n\""
        " . 'X-com-zoho-invoice-organizationid: ' . zoho_organization_id() . \"\\r\\n\"]]);\n"
        f"echo file_get_contents('{url}', false, $ctx);\n"
    )
    env = _oauth_env(emulator, tmp_path / "cache")
    env["ZOHO_AUTH_CACHE"] = str(tmp_path / "token.json")
    body = json.loads(_run(["php", "main.php"], tmp_path, env))
    assert body["code"] == 0 and body["items"]
    assert _token_requests(emulator) == 2  # one refused with 503, then one refresh for every caller
    assert (tmp_path / "token.json").stat().st_mode & 0o077 == 0


@requires_tool("ruby")
def test_ruby_helper_calls_the_v3_api(emulator, tmp_path: Path, ruleset) -> None:
    _helper(ruleset, "ruby", tmp_path)
    emulator.faults.fail_next(1, status=503, path="/oauth/v2/token")  # the helper retries it
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    (tmp_path / "main.rb").write_text(
        'require_relative "zoho_auth"\nrequire "net/http"\n'
        'tokens = 4.times.map { Thread.new { ZohoAuth.access_token } }.map(&:value)\n'
        'raise "several tokens" unless tokens.uniq.size == 1\n'
        f'uri = URI("{url}")\nreq = Net::HTTP::Get.new(uri)\n'
        'req["Authorization"] = ZohoAuth.authorization\n'
        'req["X-com-zoho-invoice-organizationid"] = ZohoAuth.organization_id\n'
        "puts Net::HTTP.start(uri.host, uri.port) { |http| http.request(req) }.body\n"
    )
    body = json.loads(_run(["ruby", "main.rb"], tmp_path, _oauth_env(emulator, tmp_path / "cache")))
    assert body["code"] == 0 and body["items"]
    assert _token_requests(emulator) == 2  # one refused with 503, then one refresh for every caller


@requires_tool("go")
def test_go_helper_calls_the_v3_api(emulator, tmp_path: Path, ruleset) -> None:
    _helper(ruleset, "go", tmp_path, "main")
    emulator.faults.fail_next(1, status=503, path="/oauth/v2/token")  # the helper retries it
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"io"\n\t"net/http"\n\t"sync"\n)\n\n'
        "func main() {\n\tvar wg sync.WaitGroup\n\tfor i := 0; i < 4; i++ {\n\t\twg.Add(1)\n"
        "\t\tgo func() { defer wg.Done(); zohoAuthorization() }()\n\t}\n\twg.Wait()\n"
        f'\treq, _ := http.NewRequest("GET", "{url}", nil)\n'
        '\treq.Header.Set("Authorization", zohoAuthorization())\n'
        '\treq.Header.Set("X-com-zoho-invoice-organizationid", zohoOrganizationID())\n'
        "\tresp, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n"
        "\tbody, _ := io.ReadAll(resp.Body)\n\tfmt.Println(string(body))\n}\n"
    )
    env = _oauth_env(emulator, tmp_path / "cache")
    env.setdefault("GOCACHE", str(tmp_path / "gocache"))
    env.setdefault("HOME", str(tmp_path))
    body = json.loads(_run(["go", "run", "main.go", "zoho_auth.go"], tmp_path, env))
    assert body["code"] == 0 and body["items"]
    assert _token_requests(emulator) == 2  # one refused with 503, then one refresh for every caller


def test_typescript_declarations_parse_and_match_the_helper(ruleset, tmp_path: Path) -> None:
    from migrate.rewrite.helpers import helper_files

    data = FixData(ruleset)
    files = dict(helper_files(data, data.language("typescript"), "eu", None))
    assert set(files) == {"zoho_auth.js", "zoho_auth.d.ts"}
    assert not has_error("tree_sitter_typescript:language_typescript", files["zoho_auth.d.ts"])
    for name in ("accessToken", "authorization", "organizationId"):
        assert f"function {name}(" in files["zoho_auth.d.ts"] and name in files["zoho_auth.js"]
    assert 'const ACCOUNTS_URL = "https://accounts.zoho.eu";' in files["zoho_auth.js"]
