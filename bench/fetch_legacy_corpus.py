"""Fetch the real-code validation corpus of bench/legacy_corpus.yaml into DEST/<split>/<unit>/.

    python bench/fetch_legacy_corpus.py /work/corpus/src              # registry units (PyPI + npm)
    python bench/fetch_legacy_corpus.py /work/corpus/src --only heldout
    python bench/fetch_legacy_corpus.py /work/corpus/src --only heldout2     # the second held-out set
    python bench/fetch_legacy_corpus.py /work/corpus/src --only heldout3     # the third held-out set
    python bench/fetch_legacy_corpus.py --github-instructions --only heldout4  # the fourth (GitHub units only)
    python bench/fetch_legacy_corpus.py --github-instructions --only heldout5  # the fifth (GitHub units only)
    python bench/fetch_legacy_corpus.py --github-instructions --only heldout6  # the sixth (GitHub units only)
    python bench/fetch_legacy_corpus.py --github-instructions --only heldout12  # the twelfth (GitHub units only)
    python bench/fetch_legacy_corpus.py --github-instructions --only heldout13  # the thirteenth (GitHub units only)
    python bench/fetch_legacy_corpus.py --github-instructions         # how to fetch the GitHub units by hand

Why a script and not vendored files: the corpus is third-party code (authtoken-era Zoho clients from PyPI, npm
and public GitHub repositories). It must never enter this repository, yet the numbers in docs/VALIDATION.md have
to be reproducible. Registry units are pinned by name and version and fetched with the ordinary clients
(`pip download --no-deps`, `npm pack`), then unpacked exactly as they were for the labels
(docs/validation/heldout-labels.yaml, heldout2-labels.yaml, heldout3-labels.yaml, heldout4-labels.yaml,
heldout5-labels.yaml, heldout6-labels.yaml, heldout7-labels.yaml, heldout8-labels.yaml, heldout9-labels.yaml, heldout10-labels.yaml, heldout11-labels.yaml, heldout12-labels.yaml, heldout13-labels.yaml, train-labels.yaml: paths relative
to DEST/<split>).
GitHub units are pinned by repository, path and commit; CI has no GitHub access, so they are only listed.

Never run by the test suite (it needs the network).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
LIST = BENCH / "legacy_corpus.yaml"
# heldout2: a second held-out set, added after the first held-out set had been scored (and so became training
# data); labelled by hand before any scan of it, scored once.
# heldout3: a third held-out set, added after heldout2 had been scored and tuned on; labelled by hand before any
# scan of it.
# heldout4: a fourth held-out set, added after heldout3 had been scored once; GitHub units only, labelled by hand
# before any scan of it.
# heldout5: a fifth held-out set, added after heldout4 had been scored once; GitHub units only, labelled by hand
# before any scan of it.
# heldout6: a sixth held-out set, added after heldout5 had been scored once; the same way.
# heldout7: a seventh held-out set, added after heldout6 had been scored once; the same way.
# heldout8: an eighth held-out set, added after heldout7 had been scored once; the same way.
# heldout9: a ninth held-out set, added after heldout8 had been scored once; the same way.
# heldout10: a tenth held-out set, added after heldout9 had been scored once; the same way, no copies of train.
# heldout11: an eleventh held-out set, added after heldout10 had been scored once; the same way.
# heldout12: a twelfth held-out set, added after heldout11 had been scored once; the same way.
# heldout13: a thirteenth held-out set, added after heldout12 had been scored once; the same way.
SPLITS = ("train", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13")


def load_units(split: str | None) -> list[dict]:
    """Units of the corpus list, optionally only one split."""
    units = yaml.safe_load(LIST.read_text(encoding="utf-8"))["units"]
    return [u for u in units if split is None or u["split"] == split]


def download(unit: dict, into: Path) -> Path:
    """Download one registry unit's archive into `into` and return its path.

    PyPI units are source distributions unless the list says `archive: wheel` (two packages publish no sdist).
    """
    if unit["source"] == "pypi":
        spec = f"{unit['name']}=={unit['version']}"
        binary = [] if unit.get("archive") == "wheel" else ["--no-binary", ":all:"]
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *binary, "-d", str(into), spec]
    else:
        cmd = ["npm", "pack", "-q", f"{unit['name']}@{unit['version']}"]
    subprocess.run(cmd, check=True, cwd=into, stdout=subprocess.DEVNULL)
    found = [p for p in into.iterdir() if p.is_file()]
    if len(found) != 1:
        raise RuntimeError(f"{unit['unit']}: expected one archive, got {[p.name for p in found]}")
    return found[0]


def unpack(archive: Path, dest: Path) -> None:
    """Unpack a .tar.gz/.tgz/.zip/.whl into dest (the layout the labels were written against)."""
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    else:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)


def fetch(dest: Path, split: str | None) -> int:
    """Fetch every registry unit not already present; return how many failed."""
    failed = 0
    for unit in load_units(split):
        if unit["source"] == "github":
            continue
        target = dest / unit["split"] / unit["unit"]
        if target.exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                unpack(download(unit, Path(tmp)), target)
                print(f"fetched {unit['split']}/{unit['unit']}")
            except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
                failed += 1
                print(f"{unit['unit']}: not fetched: {exc}", file=sys.stderr)
    return failed


def github_instructions(split: str | None) -> str:
    """The by-hand steps for the GitHub units: one raw download per pinned file."""
    lines = ["# GitHub units: save each file at DEST/<split>/<unit>/<path> (whole file, as committed)"]
    for unit in load_units(split):
        if unit["source"] != "github":
            continue
        for item in unit["paths"]:
            url = f"https://raw.githubusercontent.com/{unit['repo']}/{item['commit']}/{item['path']}"
            lines.append(f"curl -fsSL --create-dirs -o {unit['split']}/{unit['unit']}/{item['path']} {url}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, help="folder that gets train/, heldout/, heldout2/ ... heldout13/")
    parser.add_argument("--only", choices=SPLITS, help="fetch one split")
    parser.add_argument("--github-instructions", action="store_true", help="print the GitHub units' fetch steps")
    args = parser.parse_args(argv)
    if args.github_instructions:
        print(github_instructions(args.only))
        return 0
    if args.dest is None:
        parser.error("DEST is required unless --github-instructions is given")
    return 1 if fetch(args.dest, args.only) else 0


if __name__ == "__main__":
    sys.exit(main())
