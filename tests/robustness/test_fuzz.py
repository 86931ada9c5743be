"""Property-based fuzzing (hypothesis): generated files in every language and config type never make scan,
rewrite planning or report rendering fail internally, and a rewrite never breaks a file that parsed.

Deterministic for CI (`derandomize=True`: the same examples every run) and bounded: about 25 s together on a 2-CPU machine.
A failure hypothesis finds is shrunk to a small file; keep it as a fixture in fixtures/projects/robustness/.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.report.inputs import Proposal
from migrate.report.model import build_report
from migrate.report.render import Renderer
from migrate.rewrite.engine import rewrite_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.plan import RewriteOptions, plan_rewrite
from migrate.rewrite.validate import parses
from migrate.ruleset import RuleSet, load_ruleset
from migrate.scan import engine
from migrate.scan.engine import ScanOptions, scan_paths
from migrate.scan.languages import LanguageIndex
from migrate.scan.textfile import decode
from tests.robustness.generators import HypothesisDraw, source, text_source

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RULESET: RuleSet = load_ruleset()  # module level: hypothesis runs a test many times, fixtures once
FIXDATA = FixData(RULESET)
FILENAME = "generated"


def write(folder: Path, suffix: str, data: bytes) -> Path:
    path = folder / f"{FILENAME}{suffix}"
    path.write_bytes(data)
    return path


@FUZZ
@given(st.data())
def test_scan_and_report_never_fail_internally(data: st.DataObject) -> None:
    _, suffix, content = source(HypothesisDraw(data))
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), suffix, content)
        result = scan_paths([Path(folder)], RULESET, ScanOptions(jobs=1, file_timeout=0))
        assert result.failures == [], result.failures[0].traceback
        outcome = engine.scan_file(path, path.name)
        assert outcome.failure is None, outcome.failure.traceback
        report = build_report(result, RULESET, proposal=Proposal())
        renderer = Renderer(RULESET)
        assert renderer.html(report) and renderer.markdown(report)


@FUZZ
@given(st.data())
def test_rewrite_plan_never_fails_internally(data: st.DataObject) -> None:
    _, suffix, content = source(HypothesisDraw(data))
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), suffix, content)
        plan = plan_rewrite([Path(folder)], RULESET, RewriteOptions(jobs=1, file_timeout=0))
        assert plan.failures == [], plan.failures[0].traceback
        plan.diff(masked=True)
        plan.to_json()


@FUZZ
@given(st.data())
def test_rewrite_keeps_a_parsing_file_parsing(data: st.DataObject) -> None:
    """rewrite_text itself (not the plan, whose parse check would hide a breaking rewrite as a refusal)."""
    _, suffix, text = text_source(HypothesisDraw(data))
    languages = LanguageIndex(RULESET.languages, RULESET.scan.template_suffixes)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), suffix, text.encode("utf-8"))
        language = languages.detect(path, text.encode("utf-8")[:256])
        findings = scan_paths([Path(folder)], RULESET, ScanOptions(jobs=1, mark_fixable=False)).findings
    if language is None or not findings:
        return
    original = decode(text.encode("utf-8")).text
    result = rewrite_text(path.name, original, language, findings, RULESET, FIXDATA)
    if parses(language, original, path.name):
        assert parses(language, result.text, path.name) is not False, result.text
