"""Build the benchmark corpus: pinned real packages plus generated legacy-usage files at a known rate.

    .venv/bin/python bench/build_corpus.py            # every size in bench/corpus.yaml
    .venv/bin/python bench/build_corpus.py --sizes 25  # only the 25 MB tree
    .venv/bin/python bench/build_corpus.py --legacy    # only tree-legacy-40mb (the registry corpus + era packages)

Real code, not only generated text: source distributions from PyPI (`pip download --no-deps --no-binary :all:`)
and package tarballs from npm (`npm pack`), unpacked once into bench/corpus/pool/. Each tree
bench/corpus/tree-<N>mb/ takes a seeded shuffle of the pool's files (hard links, so the trees cost no extra disk)
until it holds N megabytes, and gets one generated legacy file per `legacy_every` real files, written next to
the file before it. The generated files are the rules' own `flag` examples, grouped by language, so the
scanner has real findings to produce. Every tree is a git repository with one commit (the scanner lists files
with `git ls-files` there, and `--changed-since` needs history). A manifest per tree records what is in it.
Everything under bench/corpus/ is git-ignored: never commit it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / "corpus"
CONFIG = BENCH / "corpus.yaml"
sys.path.insert(0, str(BENCH.parent))

from migrate.ruleset import load_ruleset  # noqa: E402


def load_config() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def _log(message: str) -> None:
    print(f"build_corpus: {message}", file=sys.stderr, flush=True)


def download(config: dict) -> list[Path]:
    """Fetch the pinned archives once (cached in bench/corpus/downloads/); `config` holds `pypi` and `npm` lists."""
    archives = []
    pypi_dir = CORPUS / "downloads" / "pypi"
    npm_dir = CORPUS / "downloads" / "npm"
    pypi_dir.mkdir(parents=True, exist_ok=True)
    npm_dir.mkdir(parents=True, exist_ok=True)
    for spec in config["pypi"]:
        name, version = spec.split("==")
        have = [p for p in pypi_dir.iterdir() if _is_sdist_of(p.name, name, version)]
        if not have:
            _log(f"pip download {spec}")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                 "-d", str(pypi_dir), spec],
                check=True,
            )
            have = [p for p in pypi_dir.iterdir() if _is_sdist_of(p.name, name, version)]
        archives.extend(have[:1])
    for spec in config["npm"]:
        name, version = spec.rsplit("@", 1)
        target = npm_dir / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
        if not target.exists():
            _log(f"npm pack {spec}")
            subprocess.run(
                ["npm", "pack", "--silent", "--pack-destination", str(npm_dir), spec],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        archives.append(target)
    return archives


def _is_sdist_of(filename: str, name: str, version: str) -> bool:
    normalized = filename.lower().replace("_", "-")
    return normalized.startswith(f"{name.lower().replace('_', '-')}-{version}.") and filename.endswith(
        (".tar.gz", ".zip")
    )


def unpack(archives: list[Path]) -> Path:
    """Unpack each archive into pool/<archive name>/, dropping its top folder."""
    pool = CORPUS / "pool"
    pool.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        stem = archive.name.removesuffix(".tar.gz").removesuffix(".tgz")
        target = pool / stem
        if (target / ".unpacked").exists():
            continue
        _log(f"unpack {archive.name}")
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                parts = member.name.split("/", 1)
                if len(parts) < 2 or not parts[1] or not (member.isfile() or member.isdir()):
                    continue
                member.name = parts[1]
                tar.extract(member, target, filter="data")
        (target / ".unpacked").write_text("", encoding="utf-8")
    return pool


def pool_files(pool: Path, max_bytes: int) -> list[tuple[Path, int]]:
    """Regular files up to the size limit, outside the folders the scanner never enters (vendor/, .cache/, ...),
    so ripgrep, semgrep and the scanner all read the same files."""
    skip_dirs = set(load_ruleset().scan.skip_dirs)
    files = []
    for dirpath, dirnames, filenames in os.walk(pool):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        for name in sorted(filenames):
            if name == ".unpacked":
                continue
            path = Path(dirpath, name)
            size = path.lstat().st_size
            if path.is_file() and not path.is_symlink() and size <= max_bytes:
                files.append((path, size))
    return files


def legacy_sources() -> list[tuple[str, str]]:
    """(file extension, content) per language: that language's `flag` examples from the built-in rules."""
    ruleset = load_ruleset()
    by_language: dict[str, list[str]] = defaultdict(list)
    for rule in ruleset.rules:
        for example in rule.flag_examples:
            if example.filename:
                continue
            language = example.language or next(
                (n for n in (rule.languages or ()) if n in ruleset.languages), "python"
            )
            by_language[language].append(example.code.rstrip("\n"))
    sources = []
    for name in sorted(by_language):
        extensions = ruleset.languages[name].extensions
        if extensions:
            sources.append((extensions[0], "\n\n".join(by_language[name]) + "\n"))
    return sources


def _git(tree: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "core.autocrlf=false",
         "-c", "init.defaultBranch=main", *args],
        cwd=tree, check=True, stdout=subprocess.DEVNULL,
    )


def build_tree(size_mb: int, files: list[tuple[Path, int]], pool: Path, config: dict) -> dict:
    """One tree of `size_mb` megabytes; rebuilt only when the config or pool changed."""
    tree = CORPUS / f"tree-{size_mb}mb"
    manifest_path = CORPUS / f"tree-{size_mb}mb.json"
    stamp = hashlib.sha256(
        json.dumps([config, size_mb, len(files)], sort_keys=True).encode()
    ).hexdigest()[:16]
    if manifest_path.exists() and tree.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("stamp") == stamp:
            return manifest
    _log(f"tree-{size_mb}mb")
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    sources = legacy_sources()
    total = real = legacy = legacy_bytes = 0
    legacy_paths = []
    for path, size in files:
        if total >= size_mb * 1_000_000:
            break
        relative = path.relative_to(pool)
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
        total += size
        real += 1
        if real % config["legacy_every"] == 0:
            extension, content = sources[legacy % len(sources)]
            legacy_path = target.parent / f"zoho_legacy_{legacy:04d}{extension}"
            legacy_path.write_text(content, encoding="utf-8")
            legacy_paths.append(legacy_path.relative_to(tree).as_posix())
            legacy += 1
            legacy_bytes += len(content.encode("utf-8"))
    # an explicit (empty) .semgrepignore: semgrep then skips nothing by default (tests/, dist/, ...) either
    (tree / ".semgrepignore").write_text("# every file is scanned (see bench/README.md)\n", encoding="utf-8")
    _git(tree, "init", "-q")
    _git(tree, "add", "-A", ".")
    _git(tree, "commit", "-q", "-m", "benchmark corpus")
    manifest = {
        "stamp": stamp,
        "tree": tree.relative_to(BENCH.parent).as_posix(),
        "real_files": real,
        "real_bytes": total,
        "legacy_files": legacy,
        "legacy_bytes": legacy_bytes,
        "legacy_paths": legacy_paths,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def legacy_corpus(config: dict) -> Path:
    return Path(os.environ.get("ZOHO_MIGRATE_LEGACY_CORPUS") or config["legacy"]["corpus"])


def build_legacy_tree(config: dict) -> dict:
    """tree-legacy-<N>mb: every file of the registry corpus of real authtoken-era Zoho code, then whole packages
    of the same era until the tree holds N megabytes (files over the size limit and skipped folders left out)."""
    spec = config["legacy"]
    size_mb = spec["size_mb"]
    source = legacy_corpus(config)
    if not source.is_dir():
        raise SystemExit(f"build_corpus: the registry corpus {source} is missing (set ZOHO_MIGRATE_LEGACY_CORPUS)")
    tree = CORPUS / f"tree-legacy-{size_mb}mb"
    manifest_path = CORPUS / f"tree-legacy-{size_mb}mb.json"
    # only the named parts (train, heldout): a held-back part next to them is never benchmarked on
    zoho_files = [f for part in spec["corpus_parts"] for f in pool_files(source / part, config["max_file_bytes"])]
    stamp = hashlib.sha256(json.dumps([spec, len(zoho_files)], sort_keys=True).encode()).hexdigest()[:16]
    if manifest_path.exists() and tree.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("stamp") == stamp:
            return manifest
    pool = unpack(download(spec))
    _log(f"tree-legacy-{size_mb}mb")
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    total = zoho_bytes = 0
    counts = {"zoho": 0, "era": 0}
    packages = []
    for archive in sorted((pool / name for name in _archive_stems(spec)), key=str):
        packages.append(archive.name)
    plan = [("zoho", source, path, size) for path, size in zoho_files]
    for name in packages:
        plan += [("era", pool, path, size) for path, size in pool_files(pool / name, config["max_file_bytes"])]
    for kind, root, path, size in plan:
        if kind == "era" and total >= size_mb * 1_000_000:
            break
        target = tree / kind / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
        total += size
        counts[kind] += 1
        zoho_bytes += size if kind == "zoho" else 0
    (tree / ".semgrepignore").write_text("# every file is scanned (see bench/README.md)\n", encoding="utf-8")
    _git(tree, "init", "-q")
    _git(tree, "add", "-A", ".")
    _git(tree, "commit", "-q", "-m", "legacy benchmark corpus")
    manifest = {
        "stamp": stamp,
        "tree": tree.relative_to(BENCH.parent).as_posix(),
        "real_files": counts["zoho"] + counts["era"],
        "real_bytes": total,
        "zoho_files": counts["zoho"],
        "zoho_bytes": zoho_bytes,
        "packages": packages,
        "legacy_files": 0,
        "legacy_bytes": 0,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _archive_stems(spec: dict) -> list[str]:
    stems = []
    for archive in download(spec):
        stems.append(archive.name.removesuffix(".tar.gz").removesuffix(".tgz").removesuffix(".zip"))
    return stems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", help="tree sizes in MB (default: corpus.yaml's)")
    parser.add_argument("--legacy", action="store_true", help="build only the legacy tree (registry corpus + era packages)")
    args = parser.parse_args(argv)
    config = load_config()
    if args.legacy:
        manifest = build_legacy_tree(config)
        print(
            f"{manifest['tree']}: {manifest['zoho_files']} registry-corpus files ({manifest['zoho_bytes'] / 1e6:.1f} MB), "
            f"{manifest['real_files'] - manifest['zoho_files']} files of {', '.join(manifest['packages'])} "
            f"({manifest['real_bytes'] / 1e6:.1f} MB in all)"
        )
        return 0
    archives = download(config)
    pool = unpack(archives)
    files = pool_files(pool, config["max_file_bytes"])
    random.Random(config["seed"]).shuffle(files)
    pool_bytes = sum(size for _, size in files)
    for size_mb in args.sizes or config["sizes_mb"]:
        if size_mb * 1_000_000 > pool_bytes:
            _log(f"the pool holds only {pool_bytes / 1e6:.0f} MB; tree-{size_mb}mb is smaller than asked")
        manifest = build_tree(size_mb, files, pool, config)
        print(
            f"{manifest['tree']}: {manifest['real_files']} real files ({manifest['real_bytes'] / 1e6:.1f} MB), "
            f"{manifest['legacy_files']} legacy files"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
