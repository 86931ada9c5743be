"""Run the comparison and print the tables (Markdown) for README's Performance section.

    .venv/bin/python bench/build_corpus.py          # once: the corpus (bench/corpus/, git-ignored)
    .venv/bin/python bench/run_bench.py             # the whole run (a few minutes; semgrep is the slow part)
    .venv/bin/python bench/run_bench.py --quick     # fewer repeats, smaller trees: for iterating

What it measures, each command several times, wall-clock median and range, and peak memory:
1. one tree (the 25 MB one unless --compare-mb), side by side: `zoho-migrate scan` with all built-in rules, ripgrep searching the same keywords
   (`rg -n -i -e 'authtoken|apikey|...'`, every keyword the rules and contexts declare), and semgrep running the
   rules' own regexes as `pattern-regex` rules (bench/semgrep-rules.yaml, generated from the ruleset);
2. the size curve: scan and ripgrep on every tree (25/50/100/200 MB): MB/s should stay flat;
3. `scan --changed-since HEAD` after a one-file change in the largest tree;
4. `rewrite` (dry run) of a generated project with at least 1,000 findings;
5. bench/verify_bench.py's table (verify against the emulator), when that script is there.
`--legacy` runs only the legacy-tree table instead (issue 12: scan within 3x of ripgrep on a 40 MB tree of real
authtoken-era code, bench/build_corpus.py --legacy): ripgrep, `scan` (default jobs) and `scan -j 1` on the same
tree, alternating in one run after one warm-up each, median, files/s, MB/s and the ratio to ripgrep. Both tools
write into a pipe this script drains (never /dev/null, which a grep may treat as "no output wanted").
Memory: "peak RSS" is the largest single process (the kernel's ru_maxrss for the process and its children);
"peak PSS" samples the whole process tree every 50 ms and sums its proportional set size, so pages shared by
forked workers count once. Tools come from PyPI into bench/.tools/venv (git-ignored), never into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = BENCH / "corpus"
TOOLS = BENCH / ".tools" / "venv"
SEMGREP_RULES = BENCH / "semgrep-rules.yaml"
PINNED = ["ripgrep==14.1.0", "semgrep==1.182.0", "py-spy==0.4.3", "pyinstrument==5.1.3"]
sys.path.insert(0, str(REPO))

from bench.build_corpus import legacy_sources, load_config  # noqa: E402
from migrate.ruleset import load_ruleset  # noqa: E402
from migrate.scan.matcher import CompiledRules  # noqa: E402

ZOHO = [str(REPO / ".venv" / "bin" / "zoho-migrate")]


def log(message: str) -> None:
    print(f"run_bench: {message}", file=sys.stderr, flush=True)


# tools ------------------------------------------------------------------------------------------------------------
def ensure_tools(semgrep: bool = True) -> None:
    """ripgrep, semgrep, py-spy and pyinstrument from PyPI, pinned, in their own venv (binary wheels only)."""
    python = TOOLS / "bin" / "python"
    if not python.exists():
        log("creating bench/.tools/venv")
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
    wanted = [p for p in PINNED if semgrep or not p.startswith("semgrep")]
    missing = [p for p in wanted if not (TOOLS / "bin" / p.split("==")[0].replace("ripgrep", "rg")).exists()]
    if missing:
        log(f"pip install {' '.join(missing)}")
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--only-binary", ":all:", *missing], check=True
        )


def tool(name: str) -> str:
    return str(TOOLS / "bin" / name)


# measuring -------------------------------------------------------------------------------------------------------
def _tree_pss(root_pid: int) -> int:
    """Sum of PSS (kB) over a process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def measure(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, pipe: bool = False
) -> dict[str, float]:
    """One run: wall seconds, peak RSS of the largest process (MB), peak summed PSS of the tree (MB); with `pipe`,
    stdout goes into a pipe drained here (its size in "out_bytes", its line count in "out_lines")."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE if pipe else subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0]
    done = threading.Event()
    out = [0, 0]
    tail = [b""]

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_pss(proc.pid))

    def drain() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 16):
            out[0] += len(chunk)
            out[1] += chunk.count(b"\n")
            tail[0] = (tail[0] + chunk)[-4096:]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    drainer = threading.Thread(target=drain, daemon=True) if pipe else None
    if drainer is not None:
        drainer.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    if drainer is not None:
        drainer.join()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: findings (scan), matches (rg)
        raise RuntimeError(f"{command[0]} exited {proc.returncode}: {stderr.decode(errors='replace')[-800:]}")
    return {
        "wall": wall, "rss": usage.ru_maxrss / 1024, "pss": peak[0] / 1024, "out_bytes": out[0], "out_lines": out[1],
        "out_tail": tail[0].decode("utf-8", "replace"),  # type: ignore[dict-item]
        "cpu": usage.ru_utime + usage.ru_stime,  # the process and the children it waited for (the workers)
    }  # fmt: skip


def repeat(label: str, command: list[str], times: int, **kwargs) -> dict[str, float]:
    runs = []
    for index in range(times):
        runs.append(measure(command, **kwargs))
        log(f"{label} run {index + 1}/{times}: {runs[-1]['wall']:.2f}s")
    walls = [r["wall"] for r in runs]
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "rss": max(r["rss"] for r in runs),
        "pss": max(r["pss"] for r in runs),
    }


# commands --------------------------------------------------------------------------------------------------------
def keywords() -> list[str]:
    return CompiledRules(load_ruleset()).prefilter.keywords


def scan_command(tree: Path) -> list[str]:
    return [*ZOHO, "scan", str(tree), "--format", "json", "--no-progress", "--no-config"]


def rg_command(tree: Path) -> list[str]:
    pattern = "|".join(re.escape(k) for k in keywords())
    # --hidden: the scanner reads dotfiles (.env) too; .git/ is left out by both
    return [tool("rg"), "-n", "-i", "--hidden", "-g", "!.git/", "--max-filesize", "5M", "-e", pattern, str(tree)]


def semgrep_command(tree: Path, jobs: int) -> list[str]:
    return [
        tool("semgrep"), "scan", "--config", str(SEMGREP_RULES), "--metrics", "off", "--disable-version-check",
        "--quiet", "--json", "--max-target-bytes", "5242880", "--jobs", str(jobs), "--timeout", "0", str(tree),
    ]  # fmt: skip


def write_semgrep_rules() -> int:
    """The built-in rules' regexes as semgrep `pattern-regex` rules (same regexes, same case-insensitivity)."""
    ruleset = load_ruleset()
    compiled = CompiledRules(ruleset)
    rules = []
    for rule in ruleset.rules:
        regexes = [compiled.endpoint_regex] if rule.matcher.endpoints else list(rule.matcher.regexes)
        patterns = []
        for regex in regexes:
            flags = "(?i)" if regex.flags & re.IGNORECASE else ""
            patterns.append({"pattern-regex": flags + regex.pattern})
        rules.append(
            {
                "id": rule.id,
                "message": rule.message.strip().split("\n")[0][:200],
                "severity": "WARNING",
                "languages": ["regex"],
                "pattern-either": patterns,
            }
        )
    header = "# Generated by bench/run_bench.py from the built-in rules: each rule's regexes as pattern-regex.\n"
    SEMGREP_RULES.write_text(header + yaml.safe_dump({"rules": rules}, sort_keys=False, width=200), encoding="utf-8")
    return len(rules)


# sections --------------------------------------------------------------------------------------------------------
def tree(size_mb: int) -> Path:
    path = CORPUS / f"tree-{size_mb}mb"
    if not (path / ".git").is_dir():
        raise SystemExit(f"run bench/build_corpus.py first: {path} is missing")
    return path


def tree_bytes(size_mb: int) -> int:
    manifest = json.loads((CORPUS / f"tree-{size_mb}mb.json").read_text(encoding="utf-8"))
    return manifest["real_bytes"] + manifest["legacy_bytes"]


def fmt(row: dict[str, float]) -> str:
    return f"{row['median']:.2f} s | {row['min']:.2f}–{row['max']:.2f} s | {row['rss']:.0f} MB | {row['pss']:.0f} MB"


def comparison(size_mb: int, times: int, semgrep_times: int, jobs: int) -> list[str]:
    path = tree(size_mb)
    count = write_semgrep_rules()
    scan = repeat("scan", scan_command(path), times)
    rg = repeat("rg", rg_command(path), times)
    semgrep = repeat("semgrep", semgrep_command(path, jobs), semgrep_times)
    lines = [
        f"Tree: bench/corpus/tree-{size_mb}mb ({tree_bytes(size_mb) / 1e6:.0f} MB); scan and rg {times} runs, "
        f"semgrep {semgrep_times} runs ({count} rules, --jobs {jobs}).",
        "",
        "| tool | wall median | min–max | peak RSS (largest process) | peak PSS (all processes) | ratio to rg |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in (("zoho-migrate scan", scan), ("rg (keywords)", rg), ("semgrep (regex rules)", semgrep)):
        lines.append(f"| {name} | {fmt(row)} | {row['median'] / rg['median']:.1f}x |")
    lines.append("")
    lines.append(
        f"zoho-migrate scan is {scan['median'] / rg['median']:.1f}x ripgrep's time (target ≤ 3x) and "
        f"{semgrep['median'] / scan['median']:.1f}x faster than semgrep (target ≥ 20x)."
    )
    return lines


def size_curve(sizes: list[int], times: int) -> list[str]:
    lines = [
        "| tree | bytes | scan median | scan MB/s | scan peak RSS | scan peak PSS | rg median | rg MB/s | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size_mb in sizes:
        path, size = tree(size_mb), tree_bytes(size_mb)
        scan = repeat(f"scan {size_mb}MB", scan_command(path), times)
        rg = repeat(f"rg {size_mb}MB", rg_command(path), times)
        lines.append(
            f"| tree-{size_mb}mb | {size / 1e6:.0f} MB | {scan['median']:.2f} s | {size / 1e6 / scan['median']:.0f} | "
            f"{scan['rss']:.0f} MB | {scan['pss']:.0f} MB | {rg['median']:.2f} s | {size / 1e6 / rg['median']:.0f} | "
            f"{scan['median'] / rg['median']:.1f}x |"
        )
    return lines


def changed_since(size_mb: int, times: int) -> list[str]:
    path = tree(size_mb)
    manifest = json.loads((CORPUS / f"tree-{size_mb}mb.json").read_text(encoding="utf-8"))
    target = path / manifest["legacy_paths"][0]  # written per tree, not a hard link into the pool
    original = target.read_bytes()
    try:
        target.write_bytes(original + b"\n# touched by run_bench\n")
        row = repeat("changed-since", [*scan_command(path), "--changed-since", "HEAD"], times)
        full = repeat("full scan", scan_command(path), max(1, times // 2))
    finally:
        target.write_bytes(original)
    return [
        f"`scan --changed-since HEAD` in tree-{size_mb}mb after changing one file: median {row['median']:.2f} s "
        f"(min–max {row['min']:.2f}–{row['max']:.2f} s, peak RSS {row['rss']:.0f} MB; target < 1 s); "
        f"the full scan of the same tree: {full['median']:.2f} s."
    ]


def rewrite_project(target: Path, wanted: int = 1000) -> int:
    """A project of generated legacy files with at least `wanted` findings; returns the finding count."""
    sources = legacy_sources()
    count, files = 0, 0
    while count < wanted:
        for _ in range(max(len(sources), (wanted - count) // 4)):
            extension, content = sources[files % len(sources)]
            folder = target / f"pkg{files % 20:02}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"legacy_{files:04}{extension}").write_text(content, encoding="utf-8")
            files += 1
        out = subprocess.run([*ZOHO, "scan", str(target), "--format", "json", "--no-config"],
                             capture_output=True, check=False)  # fmt: skip
        count = len(json.loads(out.stdout)["findings"])
    return count


def rewrite(times: int) -> list[str]:
    work = CORPUS / "rewrite-1000"
    shutil.rmtree(work, ignore_errors=True)
    findings = rewrite_project(work / "project")
    dry = repeat("rewrite dry run", [*ZOHO, "rewrite", str(work / "project"), "--format", "json"], times)
    applied = []
    for index in range(max(1, times // 2)):
        copy = work / f"apply-{index}"
        shutil.copytree(work / "project", copy)
        applied.append(measure([*ZOHO, "rewrite", str(copy), "--apply", "--allow-dirty"]))
    apply_median = statistics.median(r["wall"] for r in applied)
    return [
        f"`rewrite` of a generated project with {findings} findings: dry run (diff + manual steps as JSON) median "
        f"{dry['median']:.2f} s (min–max {dry['min']:.2f}–{dry['max']:.2f} s, peak RSS {dry['rss']:.0f} MB); "
        f"`--apply` median {apply_median:.2f} s."
    ]


def verify_figure(calls: int, levels: str) -> list[str]:
    """bench/verify_bench.py (the verify engineer's) at `calls` calls, plus the floor Zoho's rate limit sets."""
    script = BENCH / "verify_bench.py"
    if not script.exists():
        return ["bench/verify_bench.py is not there yet: no verify figure in this run."]
    log(f"verify_bench.py --calls {calls} --levels {levels}")
    out = subprocess.run(
        [sys.executable, str(script), "--calls", str(calls), "--levels", levels],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        return [f"bench/verify_bench.py failed (exit {out.returncode}): {out.stderr.strip()[-300:]}"]
    per_minute = load_ruleset().data.get("verify", {}).get("rate_limit_per_minute", 100)
    floor = calls / per_minute
    return [
        "```",
        out.stdout.rstrip(),
        "```",
        "",
        f"Rate-limit floor: at Zoho's {per_minute} requests per minute per organization (rules/verify.yaml), "
        f"{calls} calls need at least {floor:.0f} minutes per API style against the real service, whatever the "
        "concurrency; the table above has the limit switched off to measure the replay itself.",
    ]


def profile(size_mb: int) -> list[str]:
    """pyinstrument over a one-process scan (`-j 1`: workers are forks the profiler would not see)."""
    path = tree(size_mb)
    site = next((TOOLS / "lib").glob("python3*/site-packages"))
    env = {**os.environ, "PYTHONPATH": str(site)}
    log(f"profile of scan -j 1 on tree-{size_mb}mb")
    out = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "pyinstrument", "-r", "text", "--show", "*migrate*",
         "-m", "migrate", "scan", str(path), "-j", "1", "--format", "json", "--no-progress", "--no-config",
         "-o", os.devnull],
        capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )  # fmt: skip
    lines = out.stdout.splitlines()
    total = None
    kept = []
    for line in lines:
        match = re.match(r"^[\s│├└─]*(\d+\.\d+) ", line)
        if match is None:
            continue
        seconds = float(match.group(1))
        total = total or seconds
        if seconds >= 0.03 * total:
            kept.append(line.rstrip())
    return ["```", *kept, "```"]


def legacy_tree(times: int, baseline: Path | None = None) -> list[str]:
    """ripgrep vs `scan` (default jobs) vs `scan -j 1` on tree-legacy-<N>mb, alternating, one warm-up each; with
    `baseline` (another checkout of the project, e.g. `git worktree add /tmp/old <commit>`), its scan too, run
    by this venv's Python with that checkout first on the path: before and after side by side in one run."""
    size_mb = load_config()["legacy"]["size_mb"]
    path = CORPUS / f"tree-legacy-{size_mb}mb"
    if not (path / ".git").is_dir():
        raise SystemExit(f"run bench/build_corpus.py --legacy first: {path} is missing")
    manifest = json.loads((CORPUS / f"tree-legacy-{size_mb}mb.json").read_text(encoding="utf-8"))
    files, size = manifest["real_files"], manifest["real_bytes"]
    compile_bytecode()
    commands = {
        "rg -n -i (the prefilter's keywords)": rg_command(path),
        f"zoho-migrate scan (default: {os.cpu_count()} jobs)": scan_command(path),
        "zoho-migrate scan -j 1": [*scan_command(path), "-j", "1"],
    }
    envs: dict[str, dict[str, str] | None] = dict.fromkeys(commands)
    if baseline is not None:
        compile_bytecode(baseline)
        old = [sys.executable, "-P", "-c", "import sys; from migrate.cli import main; sys.argv[0] = 'zoho-migrate'; "
               "sys.exit(main())", *scan_command(path)[1:]]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(baseline)}
        commands[f"baseline scan (default jobs; {baseline.name})"] = old
        commands[f"baseline scan -j 1 ({baseline.name})"] = [*old, "-j", "1"]
        envs.update(dict.fromkeys(list(commands)[-2:], env))
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    start_load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, command in commands.items():  # warm-up: page cache, .pyc files
        measure(command, pipe=True, env=envs[name])
    for index in range(times):
        for name, command in commands.items():
            runs[name].append(measure(command, pipe=True, env=envs[name]))
            log(f"{name} run {index + 1}/{times}: {runs[name][-1]['wall']:.2f}s")
    end_load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    rg_median = statistics.median(r["wall"] for r in next(iter(runs.values())))
    lines = [
        f"Tree: {manifest['tree']}: {files:,} files, {size / 1e6:.1f} MB ({manifest['zoho_files']} files of the "
        f"registry corpus, the rest {', '.join(manifest['packages'])}); {times} alternating runs after one warm-up "
        f"each; load average {start_load} at the start, {end_load} at the end.",
        "",
        "| command | wall median | min–max | files/s | MB/s | CPU (user+sys) | peak RSS | peak PSS | output | ratio to rg |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in runs.items():
        walls = [r["wall"] for r in rows]
        median = statistics.median(walls)
        output = f"{rows[-1]['out_lines']:,} lines" if name.startswith("rg") else f"{rows[-1]['out_bytes'] / 1e3:.0f} kB JSON"
        lines.append(
            f"| {name} | {median:.2f} s | {min(walls):.2f}–{max(walls):.2f} s | {files / median:,.0f} | "
            f"{size / 1e6 / median:.0f} | {statistics.median(r['cpu'] for r in rows):.2f} s | "
            f"{max(r['rss'] for r in rows):.0f} MB | {max(r['pss'] for r in rows):.0f} MB | "
            f"{output} | {median / rg_median:.1f}x |"
        )
    return lines


def compile_bytecode(checkout: Path = REPO) -> None:
    """Byte-compile the project as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as in some sandboxes) and an
    editable install, every run would otherwise compile all of migrate/ again (~0.04 s of CPU per run here)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "migrate")], check=True)


def machine() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for name, command in (("rg", [tool("rg"), "--version"]), ("semgrep", [tool("semgrep"), "--version"])):
        if not Path(command[0]).exists():
            continue
        out = subprocess.run(command, capture_output=True, text=True, check=False).stdout.split("\n")[0]
        versions.append(f"{name} {out.split()[-1] if out else '?'}")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"Machine: {model}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {', '.join(versions)}; load average at start {load}."
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller trees")
    parser.add_argument("--compare-mb", type=int, default=None, help="tree for the side-by-side table")
    parser.add_argument("--skip", nargs="*", default=[], help="sections to leave out: compare curve changed rewrite profile verify")
    parser.add_argument("--legacy", action="store_true", help="only the legacy-tree table (rg vs scan, issue 12)")
    parser.add_argument("--times", type=int, default=5, help="alternating runs per command for --legacy")
    parser.add_argument("--baseline", type=Path, help="--legacy: also time the scan of this other checkout")
    args = parser.parse_args(argv)
    if args.legacy:
        ensure_tools(semgrep=False)
        table = legacy_tree(args.times, args.baseline.resolve() if args.baseline else None)
        print("\n".join(["## Legacy tree: ripgrep vs scan", "", *machine(), "", *table]))
        return 0
    ensure_tools()
    config = load_config()
    sizes = config["sizes_mb"][:2] if args.quick else config["sizes_mb"]
    times = 2 if args.quick else 5
    jobs = os.cpu_count() or 1
    out = ["## Benchmark run", "", *machine(), ""]
    if "compare" not in args.skip:
        # semgrep needs minutes per run on this machine: the side-by-side table uses the smallest tree by default
        size = args.compare_mb or sizes[0]
        out += ["### Side by side", "", *comparison(size, times, 1 if args.quick else 2, jobs), ""]
    if "curve" not in args.skip:
        out += ["### Size curve", "", *size_curve(sizes, 2 if args.quick else 3), ""]
    if "changed" not in args.skip:
        out += ["### --changed-since", "", *changed_since(sizes[-1], times), ""]
    if "rewrite" not in args.skip:
        out += ["### rewrite", "", *rewrite(2 if args.quick else 3), ""]
    if "profile" not in args.skip:
        out += ["### Where the time goes", "", *profile(sizes[-1]), ""]
    if "verify" not in args.skip:
        out += ["### verify", "", *verify_figure(48 if args.quick else 1000, "4" if args.quick else "8,16"), ""]
    out.append(f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}.")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
