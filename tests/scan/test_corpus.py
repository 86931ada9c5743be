"""The labelled fixture corpus and the shared examples, scored line by line exactly as outside checks score them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, run_cli
from tests.scan.scoring import load_labels, score

CORPUS = FIXTURES / "projects" / "scan"
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(scope="module")
def corpus_scan() -> dict:
    proc = run_cli("scan", str(CORPUS), "--format", "json", "--no-progress")
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_corpus_recall_and_precision_are_perfect(corpus_scan):
    result = score(corpus_scan["findings"], load_labels(CORPUS / "labels.yaml"))
    assert result.recall == 1.0 and result.precision == 1.0, result.report()


def test_every_corpus_file_is_labelled():
    labels = load_labels(CORPUS / "labels.yaml")
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    on_disk -= {"labels.yaml", ".zoho-migrate-ignore"}
    assert on_disk == set(labels)


def test_corpus_covers_every_language_and_config_type(corpus_scan):
    by_suffix = {Path(f["path"]).name.split(".")[-1] for f in corpus_scan["findings"]}
    for kind in ("py", "js", "mjs", "ts", "coffee", "php", "java", "cs", "rb", "go", "sh", "dg", "ds", "env",
                 "production", "yaml", "yml", "json", "ini", "cfg", "properties", "config", "example", "sample",
                 "dist", "default", "template", "md", "rst", "txt", "rdoc", "html", "ex", "m", "vb"):
        assert kind in by_suffix, f"no finding in a *.{kind} file"


def test_corpus_ignored_and_skipped_folders(corpus_scan):
    # .zoho-migrate-ignore (third_party/) and the default skipped folders (node_modules/, vendor/)
    paths = {f["path"] for f in corpus_scan["findings"]}
    assert not any(p.startswith(("third_party/", "node_modules/", "vendor/")) for p in paths)
    # hidden files and folders are scanned
    assert {".zoho/credentials", ".github/workflows/sync.yml", "config/.env"} <= paths


def test_corpus_docs_are_info_and_code_is_not(corpus_scan):
    for finding in corpus_scan["findings"]:
        name = finding["path"].rsplit("/", 1)[-1]
        is_doc = name.endswith((".md", ".rst", ".txt", ".rdoc")) and name != "requirements.txt"
        # code that already sends Zoho-oauthtoken (and no authtoken): a moved host is a notice (the rule's
        # `migrated` severity; test_oauth_code_calling_a_moved_host_gets_a_notice checks which files)
        migrated = "Zoho-oauthtoken" in (CORPUS / finding["path"]).read_text(errors="replace")
        if migrated and finding["category"] == "legacy-endpoint" and finding["severity"] == "info":
            continue
        assert (finding["severity"] == "info") == is_doc, finding


def test_corpus_latin1_php_is_decoded_not_skipped(corpus_scan):
    assert (CORPUS / "php" / "invoice_legacy.php").read_bytes().count(b"\xe9") >= 1  # really Latin-1 on disk
    lines = {f["line"] for f in corpus_scan["findings"] if f["path"] == "php/invoice_legacy.php"}
    assert {3, 11, 24} <= lines
    assert not any(e["path"] == "php/invoice_legacy.php" for e in corpus_scan["errors"])


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="shared/ is beside the repo only on a developer machine")
def test_shared_examples_stay_perfect(tmp_path):
    # scored by file name, like shared/score_scan.py; copied so a stray file next to them cannot interfere
    target = tmp_path / "examples"
    shutil.copytree(SHARED_EXAMPLES, target)
    proc = run_cli("scan", str(target), "--format", "json", "--no-progress")
    result = score(json.loads(proc.stdout)["findings"], load_labels(target / "labels.yaml"))
    assert result.recall == 1.0 and result.precision == 1.0, result.report()


def test_oauth_code_calling_a_moved_host_gets_a_notice(corpus_scan):
    """Already on OAuth, only the host moved: info (no CI failure); half-migrated files keep the error."""
    severities = {(f["path"], f["severity"]) for f in corpus_scan["findings"] if f["category"] == "legacy-endpoint"}
    assert {s for p, s in severities if p == "precision/books_oauth.js"} == {"info"}
    assert {s for p, s in severities if p == "config/zoho.postman_collection.json"} == {"error"}
