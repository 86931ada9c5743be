"""Shared pytest fixtures: the built-in ruleset (loaded once) and a CLI runner that runs like a user does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrate.ruleset import RuleSet, load_ruleset

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

pytest_plugins = ["fixtures.emulator.pytest_plugin"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_tool(*names): runs these executables (see tests/runtimes.py)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `requires_tool` is skipped when a runtime is missing (tests/runtimes.py)..."""
    from tests import runtimes

    runtimes.mark_skips(items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """... and fails instead under CI=true, so CI cannot pass by skipping them."""
    from tests import runtimes

    runtimes.check(item)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset()


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m migrate ARGS` in a subprocess, exactly as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "migrate", *args],
        cwd=cwd,
        env=env,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Tests (and the CLIs they start) keep the scanner's compiled-regex cache out of the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
