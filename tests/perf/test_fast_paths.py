"""The scan's fast paths change speed, never results: every case here scans the same tree with and without them.

Fast paths (migrate/scan/engine.py): the literal plan (rules and regexes that cannot match are not run), the
Hyperscan prefilter, the `git ls-files` listing, the `only_files` lookup, and the worker pool. No timing here:
speed is measured by bench/, not by tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from migrate.scan import prefilter as prefilter_module
from migrate.scan.engine import ScanOptions, ScanResult, scan_paths
from migrate.scan.walk import Walker

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "projects"
HAVE_GIT = shutil.which("git") is not None

LEAKED = 'ZOHO_AUTHTOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"\n'
LEGACY_PY = (
    "import requests\n"
    'BASE = "https://invoice.zoho.com/api/"\n'
    'r = requests.get(BASE + "items/", params={"authtoken": TOKEN, "scope": "invoiceapi"})\n'
)


@pytest.fixture(autouse=True)
def always_plan(monkeypatch):
    """Small test trees get the literal plan too (the engine skips it below PLAN_THRESHOLD files)."""
    from migrate.scan import engine

    monkeypatch.setattr(engine, "PLAN_THRESHOLD", 0)


def _snapshot(result: ScanResult) -> dict:
    data = result.to_json()
    data["stats"].pop("seconds")
    return data


def _scan(root: Path, ruleset, **options) -> dict:
    return _snapshot(scan_paths([root], ruleset, ScanOptions(**options)))


def _same(root: Path, ruleset, **options) -> dict:
    fast = _scan(root, ruleset, fast_paths=True, **options)
    slow = _scan(root, ruleset, fast_paths=False, **options)
    assert fast == slow
    return fast


def test_fixture_projects_identical_with_and_without_fast_paths(ruleset):
    result = _same(FIXTURES, ruleset, jobs=1)
    assert result["findings"], "the fixtures must produce findings, or this comparison proves nothing"


def test_every_fixture_project_alone_is_identical(ruleset):
    for project in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        _same(project, ruleset, jobs=1)


def test_fast_paths_really_ran(ruleset, monkeypatch):
    from migrate.scan import engine

    scan_paths([FIXTURES], ruleset, ScanOptions(jobs=1))
    assert engine._STATE["plan"] is not None
    scan_paths([FIXTURES], ruleset, ScanOptions(jobs=1, fast_paths=False))
    assert engine._STATE["plan"] is None
    monkeypatch.setattr(engine, "PLAN_THRESHOLD", 64)
    scan_paths([FIXTURES / "legacy-invoice-py"], ruleset, ScanOptions(jobs=1))
    assert engine._STATE["plan"] is None, "a handful of files is scanned without building the plan"


@pytest.mark.parametrize("engine", ["hyperscan", "ahocorasick"])
def test_both_prefilter_engines_give_the_same_findings(ruleset, monkeypatch, engine):
    if engine == "hyperscan" and prefilter_module.hyperscan is None:
        pytest.skip("the hyperscan wheel is not available on this platform")
    monkeypatch.setenv(prefilter_module.ENGINE_ENV, engine)
    fast = _scan(FIXTURES, ruleset, jobs=1, fast_paths=True)
    monkeypatch.delenv(prefilter_module.ENGINE_ENV)
    assert fast == _scan(FIXTURES, ruleset, jobs=1, fast_paths=False)


def test_environment_switch_turns_the_fast_paths_off(ruleset, monkeypatch):
    from migrate.scan import engine

    monkeypatch.setenv(engine.NO_FAST_PATHS_ENV, "1")
    assert not engine.fast_paths_enabled(ScanOptions())
    monkeypatch.setenv(engine.NO_FAST_PATHS_ENV, "0")
    assert engine.fast_paths_enabled(ScanOptions())
    assert not engine.fast_paths_enabled(ScanOptions(fast_paths=False))


def test_worker_pool_gives_the_serial_result(ruleset, tmp_path):
    # enough files for the pool (engine.PARALLEL_THRESHOLD) and a finding in many batches
    for index in range(150):
        folder = tmp_path / f"pkg{index % 7}"
        folder.mkdir(exist_ok=True)
        body = LEGACY_PY if index % 5 == 0 else f"def f{index}(key, token):\n    return key + token\n"
        (folder / f"m{index:03}.py").write_text(body, encoding="utf-8")
    serial = _scan(tmp_path, ruleset, jobs=1)
    assert serial["findings"]
    assert _scan(tmp_path, ruleset, jobs=2) == serial
    assert _scan(tmp_path, ruleset, jobs=2, fast_paths=False) == serial


def test_non_ascii_case_folding_keeps_regexes_running(ruleset, tmp_path):
    """Python's IGNORECASE matches 'ſ' (U+017F) to 's': a literal check on bytes alone would miss that."""
    (tmp_path / "client.py").write_text(
        "# zoho\nparams = {'PAſſWORD': pw, 'SCOPE': 'ZohoCRM/crmapi'}  # apiauthtoken/nb/create\n",
        encoding="utf-8",
    )
    _same(tmp_path, ruleset, jobs=1)


# git listing ----------------------------------------------------------------------------------------------------
def _git(root: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "init.defaultBranch=main", *args],
        cwd=root, check=True, capture_output=True, env=env,
    )  # fmt: skip


def _repo(tmp_path: Path) -> Path:
    """A work tree with every listing case: tracked, untracked, git-ignored files and folders, nested ignore files
    with a negation, .zoho-migrate-ignore, a skipped dependency folder, a file symlink, a broken symlink."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "legacy-invoice-py", root / "app")
    (root / ".gitignore").write_text("*.env\nbuild/\n*.log\n", encoding="utf-8")
    (root / "prod.env").write_text(LEAKED, encoding="utf-8")  # git-ignored, still reported
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text(LEGACY_PY, encoding="utf-8")  # in an ignored folder: never read
    (root / "config").mkdir()
    (root / "config" / "local.env").write_text(LEAKED, encoding="utf-8")  # folder of only ignored files
    (root / "sub" / "deep").mkdir(parents=True)
    (root / "sub" / ".gitignore").write_text("!keep.log\nsecret.txt\n", encoding="utf-8")
    (root / "sub" / "keep.log").write_text(LEGACY_PY, encoding="utf-8")  # re-included by the nested file
    (root / "sub" / "secret.txt").write_text(LEAKED, encoding="utf-8")
    (root / "sub" / "deep" / "client.py").write_text(LEGACY_PY, encoding="utf-8")
    (root / ".zoho-migrate-ignore").write_text("generated/\nsub/deep/skip_me.py\n", encoding="utf-8")
    (root / "generated").mkdir()
    (root / "generated" / "client.py").write_text(LEGACY_PY, encoding="utf-8")
    (root / "sub" / "deep" / "skip_me.py").write_text(LEGACY_PY, encoding="utf-8")
    (root / "node_modules" / "zoho").mkdir(parents=True)
    (root / "node_modules" / "zoho" / "index.js").write_text(LEGACY_PY, encoding="utf-8")
    (root / "link.py").symlink_to("sub/deep/client.py")
    (root / "dangling.py").symlink_to("missing.py")
    _git(root, "init", "-q")
    _git(root, "add", "app", ".gitignore", ".zoho-migrate-ignore", "sub", "link.py")
    _git(root, "commit", "-q", "-m", "init")
    (root / "untracked.py").write_text(LEGACY_PY, encoding="utf-8")
    return root


@pytest.fixture
def git_listing(monkeypatch):
    """The git listing is opt-in (it measured slower than the walk on the bench corpus): turn it on."""
    from migrate.scan import engine

    monkeypatch.setenv(engine.GIT_LISTING_ENV, "1")
    assert engine.git_listing_enabled(True)


@pytest.mark.skipif(not HAVE_GIT, reason="git is not installed")
def test_git_listing_matches_the_walk(ruleset, tmp_path, git_listing):
    root = _repo(tmp_path)
    skip = frozenset(ruleset.scan.skip_dirs)
    fast_walker, slow_walker = Walker(skip_dirs=skip), Walker(skip_dirs=skip)
    listed = fast_walker._git_files(root)
    assert listed is not None, "the git listing fell back to the walk on a plain repository"
    walked = list(slow_walker.files(root))
    assert listed == walked
    assert fast_walker.errors == slow_walker.errors and fast_walker.skipped == slow_walker.skipped
    relatives = {relative: ignored for _, relative, ignored in walked}
    assert relatives["prod.env"] is True and relatives["config/local.env"] is True
    assert relatives["sub/keep.log"] is False and relatives["sub/secret.txt"] is True
    assert "build/gen.py" not in relatives and "generated/client.py" not in relatives
    assert "sub/deep/skip_me.py" not in relatives and "node_modules/zoho/index.js" not in relatives

    result = _same(root, ruleset, jobs=1)
    paths = {f["path"] for f in result["findings"]}
    assert "prod.env" in paths and "untracked.py" in paths and "link.py" in paths
    assert any(e["path"] == "dangling.py" for e in result["errors"])


@pytest.mark.skipif(not HAVE_GIT, reason="git is not installed")
def test_git_listing_with_excludes_matches_the_walk(ruleset, tmp_path, git_listing):
    root = _repo(tmp_path)
    _same(root, ruleset, jobs=1, excludes=("sub", "*.env"))


@pytest.mark.skipif(not HAVE_GIT, reason="git is not installed")
@pytest.mark.parametrize("case", ["directory-symlink", "tracked-but-ignored", "nested-repository"])
def test_git_listing_falls_back_to_the_walk_when_it_cannot_answer(ruleset, tmp_path, case, git_listing):
    root = _repo(tmp_path)
    if case == "directory-symlink":
        (root / "again").symlink_to("sub", target_is_directory=True)
    elif case == "tracked-but-ignored":
        (root / "tracked.log").write_text(LEGACY_PY, encoding="utf-8")
        _git(root, "add", "-f", "tracked.log")
    else:
        nested = root / "vendored"
        nested.mkdir()
        (nested / "client.py").write_text(LEGACY_PY, encoding="utf-8")
        _git(nested, "init", "-q")
    assert Walker(skip_dirs=frozenset(ruleset.scan.skip_dirs))._git_files(root) is None
    _same(root, ruleset, jobs=1)


@pytest.mark.skipif(not HAVE_GIT, reason="git is not installed")
def test_only_files_lookup_matches_walk_and_filter(ruleset, tmp_path):
    root = _repo(tmp_path)
    only = {
        "untracked.py", "prod.env", "build/gen.py", "generated/client.py", "sub/keep.log", "sub/deep/client.py",
        "node_modules/zoho/index.js", "link.py", "app", "missing/file.py", "sub/deep/skip_me.py",
        "untracked.py/not-a-folder.py",
    }  # fmt: skip
    fast = _scan(root, ruleset, jobs=1, only_files=only, fast_paths=True)
    slow = _scan(root, ruleset, jobs=1, only_files=only, fast_paths=False)
    assert fast["findings"] == slow["findings"]
    assert fast["stats"]["files_scanned"] == slow["stats"]["files_scanned"]
    # notes about files outside the change set are not the lookup's business
    assert {e["path"] for e in fast["errors"]} <= {e["path"] for e in slow["errors"]}
    assert {f["path"] for f in fast["findings"]} >= {"untracked.py", "prod.env", "sub/keep.log"}


# streaming ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_streams_the_listing_instead_of_holding_it(ruleset, tmp_path, monkeypatch, jobs):
    """Outcomes start before the listing ends, and only a bounded number of files are listed ahead of them."""
    from migrate.scan import engine

    source = tmp_path / "client.py"
    source.write_text(LEGACY_PY, encoding="utf-8")
    total = 3000
    pulled = [0]

    def files(self, root, use_git=False):
        for index in range(total):
            pulled[0] += 1
            yield str(source), f"copy{index:05}.py", False

    monkeypatch.setattr(Walker, "files", files)
    ahead: list[int] = []

    def progress(done: int) -> None:
        ahead.append(pulled[0] - done)

    result = scan_paths([tmp_path], ruleset, ScanOptions(jobs=jobs), progress)
    assert result.files_scanned == total
    assert len({f.path for f in result.findings}) == total  # every copy reported, in order
    assert [f.path for f in result.findings] == sorted(f.path for f in result.findings)
    bound = engine.PARALLEL_THRESHOLD + jobs * engine.IN_FLIGHT_PER_WORKER * engine.BATCH_SIZE
    assert ahead[0] < total and max(ahead) <= bound


# package contexts ruled out before decoding -----------------------------------------------------------------------
V1_READER = "def rows(reply):\n    return reply['response']['result']['Leads']['row']\n"
V1_CLIENT = (
    "import requests\nfrom .reader import rows\n\n"
    "def leads(token):\n"
    "    r = requests.get('https://crm.zoho.com/crm/private/json/Leads/getRecords', params={'authtoken': token})\n"
    "    return rows(r.json())\n"
)


def test_package_context_ruled_out_by_the_plan_keeps_findings(ruleset, tmp_path):
    """A framework package reading `['row']` with no Zoho file anywhere near is dropped by the plan (never decoded);
    the same reader next to a Zoho client that names it is still reported, with and without the fast paths."""
    from migrate.scan import engine
    from migrate.scan.matcher import CompiledRules
    from migrate.scan.plan import ScanPlan

    era, client = tmp_path / "framework" / "db", tmp_path / "client"
    era.mkdir(parents=True)
    client.mkdir()
    for index in range(70):  # over PLAN_THRESHOLD as a real tree would be
        (era / f"reader{index:02}.py").write_text(V1_READER, encoding="utf-8")
    (client / "reader.py").write_text(V1_READER, encoding="utf-8")
    (client / "zoho_client.py").write_text(V1_CLIENT, encoding="utf-8")
    result = _same(tmp_path, ruleset, jobs=1)
    by_path = {f["path"]: f["rule_id"] for f in result["findings"]}
    assert by_path.get("client/reader.py") == "zoho.legacy-reply.v1-json"
    assert not any(path.startswith("framework/") for path in by_path)

    plan = ScanPlan(CompiledRules(ruleset))
    language = engine.LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes).detect(
        era / "reader00.py", b""
    )
    data = V1_READER.encode()
    assert plan.select(data, language, "framework/db/reader00.py", False, source=era / "reader00.py")[1] is None
    assert plan.select(data, language, "client/reader.py", False, source=client / "reader.py")[1] is not None
    # without the file on disk the plan cannot ask the package and keeps the rule for the matcher to decide
    assert plan.select(data, language, "framework/db/reader00.py", False)[1] is not None
