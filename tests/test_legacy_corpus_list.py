"""The real-code corpus list (bench/legacy_corpus.yaml) and its label files stay consistent.

Why: the held-out scores in docs/VALIDATION.md are only reproducible if every labelled path belongs to a unit the
fetch script knows, in the split the labels claim, and if the script accepts every split the list uses. This runs
offline (no download): it reads the list, the labels and the script's own argument parser.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _fetch_module():
    spec = importlib.util.spec_from_file_location("fetch_legacy_corpus", ROOT / "bench" / "fetch_legacy_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# every held-out split the fetch script knows has its label file (a missing one fails the tests that read it)
SPLITS = _fetch_module().SPLITS
LABELS = {split: ROOT / "docs" / "validation" / f"{split}-labels.yaml" for split in SPLITS if split != "train"}
# from heldout4 on, every split is GitHub units only
GITHUB_SPLITS = SPLITS[SPLITS.index("heldout4") :]


def test_every_split_in_the_list_is_fetchable():
    fetch = _fetch_module()
    splits = {unit["split"] for unit in fetch.load_units(None)}
    assert splits <= set(fetch.SPLITS), splits - set(fetch.SPLITS)


def test_only_heldout2_lists_just_that_split(capsys):
    fetch = _fetch_module()
    assert fetch.main(["--github-instructions", "--only", "heldout2"]) == 0
    steps = [line for line in capsys.readouterr().out.splitlines() if line.startswith("curl ")]
    assert steps and all(" -o heldout2/" in line for line in steps)


@pytest.mark.parametrize("split", GITHUB_SPLITS)
def test_only_a_github_split_lists_just_that_split_and_every_labelled_unit(split, capsys):
    fetch = _fetch_module()
    assert fetch.main(["--github-instructions", "--only", split]) == 0
    steps = [line for line in capsys.readouterr().out.splitlines() if line.startswith("curl ")]
    assert steps and all(f" -o {split}/" in line for line in steps)
    labelled = {key.partition("/")[0] for key in yaml.safe_load(LABELS[split].read_text(encoding="utf-8"))}
    assert labelled == {unit["unit"] for unit in fetch.load_units(split)}


def test_rewriter_never_touches_the_newest_held_out_split():
    source = (ROOT / "bench" / "rewrite_corpus.py").read_text(encoding="utf-8")
    assert f'NEVER = "{_fetch_module().SPLITS[-1]}"' in source


@pytest.mark.parametrize("split", sorted(LABELS))
def test_labelled_paths_belong_to_units_of_their_split(split):
    fetch = _fetch_module()
    units = {unit["unit"]: unit for unit in fetch.load_units(split)}
    labels = yaml.safe_load(LABELS[split].read_text(encoding="utf-8"))
    for key, label in labels.items():
        unit_name, _, rest = key.partition("/")
        assert unit_name in units, f"{key}: no {split} unit {unit_name}"
        unit = units[unit_name]
        if unit["source"] == "github":
            assert rest in {item["path"] for item in unit["paths"]}, f"{key}: path not pinned in the list"
        lines = [*label.get("must", []), *label.get("may", []), *label.get("ok", [])]
        assert len(lines) == len(set(lines)), f"{key}: a line is in two of must/may/ok"
