"""Growth benchmark: time vs size for the file shapes that used to make scan/rewrite super-linear (issue 12).

    .venv/bin/python bench/growth.py                      # every shape, n = 100 .. 2000 (a few minutes)
    .venv/bin/python bench/growth.py --shapes php-xml py-base --sizes 100 200 400
    .venv/bin/python bench/growth.py --huge 50            # also the 50 MB minified bundle (CLI, --max-file-size)

Each shape is a generator of one file holding n "units" (a unit is what grows: a function with an XML parse and a
Zoho URL, a base-URL constant and its use, 100 bytes of `{$`/braces on one line, ...). For every shape and phase
a worker process (one per shape and phase: a stalled phase is killed at `--cap` seconds without losing the
others) builds the file at each n and times, in process, one of:
- `scan`: `scan_paths` on that file, one job, `mark_fixable` off (what `rewrite` asks of the scanner);
- `scan+fixable`: the same with `mark_fixable` on (what `zoho-migrate scan` does by default);
- `rewrite`: `plan_rewrite` (dry run: the scan plus every rewrite pass plus the parse check).
The exponent is the least-squares slope of log(time) on log(n); 1.0 is linear, the target is <= 1.2. Peak PSS is
sampled from /proc every 50 ms over the shape's worker processes (the largest one counts).

Speed is measured here only, never in the test suite. Generated files live in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

SIZES = (100, 200, 500, 1000, 2000)
PHASES = ("scan", "scan+fixable", "rewrite")
TARGET_EXPONENT = 1.2
TARGET_PSS_MB = 150

# --- the shapes: n -> (file name, text) ------------------------------------------------------------------------------
URL = "https://crm.zoho.com/crm/private/json/Leads/getRecords"


def php_xml(n: int) -> str:
    """(a) n functions, each fetching a legacy Invoice URL (held in a variable) and parsing the reply with
    SimpleXML; every other one uses the reply in a way the rewriter leaves to a person (a manual step)."""
    units = []
    for i in range(n):
        use = "(string) $i->Name" if i % 2 else "$i->xpath('Name')"
        units.append(
            f"function names_{i}($t) {{\n"
            '    $url = "https://invoice.zoho.com/api/items/";\n'
            '    $r = file_get_contents($url . "?authtoken=" . $t . "&scope=invoiceapi");\n'
            "    $xml = simplexml_load_string($r);\n    $out = [];\n"
            f"    foreach ($xml->Items->Item as $i) {{\n        $out[] = {use};\n    }}\n"
            "    return $out;\n}\n"
        )
    return "<?php\n" + "".join(units)


def py_base(n: int) -> str:
    """(b) n base-URL constants, each used by a call that sends the authtoken: every other one in `params`,
    the others in a URL variable built from the constant and the token (each such variable is tainted)."""
    head = "import requests\n\nTOKEN = 'x'\n"
    constants = "".join(f'BASE_{i} = "https://invoice.zoho.com/api/"\n' for i in range(n))
    uses = []
    for i in range(n):
        if i % 2:
            uses.append(
                f"\n\ndef items_{i}(org):\n"
                f'    url_{i} = BASE_{i} + "items/"\n'
                f'    return requests.get(url_{i}, params={{"authtoken": TOKEN, "scope": "invoiceapi", "organization_id": org}})\n'
            )
        else:
            uses.append(
                f"\n\ndef items_{i}(org):\n"
                f'    url_{i} = BASE_{i} + "items/?authtoken=" + TOKEN + "&organization_id=" + org\n'
                f"    return requests.get(url_{i})\n"
            )
    return head + constants + "".join(uses)


def php_brace_line(n: int) -> str:
    """(c) one line of n x 100 bytes of nested interpolation `{$a{$a...}}` in a string, after a legacy call (the
    200 KB class at n=2000: tree-sitter's error recovery on it runs at kilobytes per second)."""
    line = "{$a" * (25 * n) + "}" * (25 * n)
    return (
        "<?php\n"
        f'$r = file_get_contents("{URL}?scope=crmapi&authtoken=" . $t);\n'
        f'$s = "{line}";\n'
    )


def php_interp_line(n: int) -> str:
    """(c) one PHP line of n legacy calls whose URLs interpolate `{$...}`."""
    calls = " ".join(
        f'$r{i} = file_get_contents("https://crm.zoho.com/crm/private/json/{{$m{i}}}/getRecords?scope=crmapi&authtoken=" . $t);'
        for i in range(n)
    )
    return "<?php\n" + calls + "\n"


def js_interp_line(n: int) -> str:
    """(c) one JavaScript line of n template-literal legacy calls."""
    calls = " ".join(f"const r{i} = fetch(`{URL}?scope=crmapi&authtoken=${{t}}&fromIndex=${{i{i}}}`);" for i in range(n))
    return "const t = process.env.ZOHO_TOKEN;\n" + calls + "\n"


def rb_interp_line(n: int) -> str:
    """(c) one Ruby line of n interpolated legacy calls."""
    calls = "; ".join(f'r{i} = Net::HTTP.get(URI("{URL}?scope=crmapi&authtoken=#{{t}}&fromIndex=#{{i{i}}}"))' for i in range(n))
    return "require 'net/http'\n" + calls + "\n"


def js_minified(n: int) -> str:
    """(d) a minified bundle: n legacy calls and some filler code, all on one line."""
    units = "".join(
        f'function f{i}(t){{var u="{URL}?scope=crmapi&authtoken="+t;'
        f"return fetch(u,{{method:\"GET\"}}).then(function(r){{return r.json()}}).then(function(d){{return d.response[{i}]}})}}"
        f"var a{i}=[1,2,3].map(function(x){{return x*{i}}});"
        for i in range(n)
    )
    return "!function(){" + units + "}();\n"


def py_mixed(n: int) -> str:
    """(e) n units each holding every finding kind: authtoken param, Zoho-authtoken header, XML parse, apikey."""
    head = "import requests\nimport xml.etree.ElementTree as ET\n\nTOKEN = 'x'\n"
    units = "".join(
        f"\n\ndef call_{i}(token):\n"
        f'    r = requests.get("https://crm.zoho.com/crm/private/xml/Leads/getRecords", params={{"authtoken": token, "scope": "crmapi"}})\n'
        f'    h = requests.get("https://desk.zoho.com/api/v1/tickets", headers={{"Authorization": "Zoho-authtoken " + token}})\n'
        f'    s = requests.get("https://sheet.zoho.com/api/private/json/books", params={{"apikey": token}})\n'
        "    root = ET.fromstring(r.text)\n"
        "    return root.find('result'), h, s\n"
        for i in range(n)
    )
    return head + units


def js_units(n: int) -> str:
    """n ordinary (multi-line) JavaScript functions calling a legacy endpoint with the token in the query."""
    units = "".join(
        f"async function leads{i}(token) {{\n"
        f'  const res = await fetch("{URL}?scope=crmapi&authtoken=" + token + "&fromIndex={i}");\n'
        "  return res.json();\n}\n\n"
        for i in range(n)
    )
    return "const fetch = require('node-fetch');\n\n" + units


SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "php-xml": ("units.php", php_xml),
    "py-base": ("units.py", py_base),
    "php-brace-line": ("brace.php", php_brace_line),
    "php-interp-line": ("interp.php", php_interp_line),
    "js-interp-line": ("interp.js", js_interp_line),
    "rb-interp-line": ("interp.rb", rb_interp_line),
    "js-minified": ("bundle.min.js", js_minified),
    "py-mixed": ("mixed.py", py_mixed),
    "js-units": ("units.js", js_units),
}


# --- the worker: one shape, one phase, every n ----------------------------------------------------------------------
def _runner(phase: str, ruleset) -> Callable[[Path], int]:
    """A function timing one phase on one folder; returns a count that proves the work was done."""
    from migrate.rewrite.plan import RewriteOptions, plan_rewrite
    from migrate.scan.engine import ScanOptions, scan_paths

    def scan(root: Path, fixable: bool) -> int:
        result = scan_paths([root], ruleset, ScanOptions(jobs=1, mark_fixable=fixable, max_file_size=10**9))
        if result.errors:
            raise RuntimeError(f"scan error: {result.errors[0]}")
        return len(result.findings)

    if phase == "scan":
        return lambda root: scan(root, False)
    if phase == "scan+fixable":
        return lambda root: scan(root, True)

    def rewrite(root: Path) -> int:
        plan = plan_rewrite([root], ruleset, RewriteOptions(jobs=1))
        return sum(len(edits) for edits in plan.edits.values())

    return rewrite


def worker(shape: str, phase: str, sizes: list[int]) -> None:
    """Print one JSON line per n: {"n", "seconds", "count"} (the parent enforces the time cap)."""
    from migrate import parsing
    from migrate.ruleset import load_ruleset

    ruleset = load_ruleset()
    run = _runner(phase, ruleset)
    name, generate = SHAPES[shape]
    with tempfile.TemporaryDirectory(prefix="growth-") as folder:
        root = Path(folder)
        (root / name).write_text(generate(5), encoding="utf-8")
        run(root)  # warm-up: grammars, templates, compiled rules
        for n in sizes:
            (root / name).write_text(generate(n), encoding="utf-8")
            best, count, spent, runs = math.inf, 0, 0.0, 0
            while runs < 3 and spent < 0.6:  # repeat small runs (best of 3) so timer noise does not bend the fit
                parsing.forget()  # each run parses afresh, as a new process would (not the last run's kept tree)
                started = time.perf_counter()
                count = run(root)
                elapsed = time.perf_counter() - started
                best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
            print(json.dumps({"n": n, "seconds": best, "count": count, "bytes": (root / name).stat().st_size}), flush=True)


# --- the parent: processes, caps, memory, the table -----------------------------------------------------------------
def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_phase(shape: str, phase: str, sizes: list[int], cap: float) -> tuple[list[dict], float, str | None]:
    """(points, peak PSS MB, note): the worker is killed when one n takes longer than `cap` seconds."""
    command = [sys.executable, __file__, "--worker", shape, phase, *map(str, sizes)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _pss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    points: list[dict] = []
    note = None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    last = time.perf_counter() + 30  # start-up and warm-up
    while proc.poll() is None:
        if len(lines) > len(points):
            points.extend(json.loads(line) for line in lines[len(points) :])
            last = time.perf_counter()
        if time.perf_counter() - last > cap:
            proc.kill()
            remaining = [n for n in sizes if n not in {p["n"] for p in points}]
            note = f"n={remaining[0]} over {cap:.0f} s: stopped"
            break
        time.sleep(0.05)
    proc.wait()
    reader.join(timeout=5)
    points = [json.loads(line) for line in lines]
    done.set()
    sampler.join()
    if proc.returncode not in (0, -9) and note is None:
        error = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
        note = f"failed: {error[-1] if error else proc.returncode}"
    return points, peak[0] / 1024, note


def exponent(points: list[dict]) -> float | None:
    """Least-squares slope of log(seconds) on log(n)."""
    if len(points) < 2:
        return None
    xs = [math.log(p["n"]) for p in points]
    ys = [math.log(max(p["seconds"], 1e-6)) for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / den if den else None


def scan_one(path: str, fixable: str, budget: str = "default") -> None:
    """The `--huge` worker: scan one file as `zoho-migrate scan --max-file-size` would, fixable marking on or off,
    with the default per-file budget or none (`--file-timeout 0`)."""
    from migrate.faults import DEFAULT_FILE_TIMEOUT
    from migrate.ruleset import load_ruleset
    from migrate.scan.engine import ScanOptions, scan_paths

    timeout = None if budget == "none" else DEFAULT_FILE_TIMEOUT
    size = Path(path).stat().st_size + 1
    options = ScanOptions(jobs=1, mark_fixable=fixable == "on", max_file_size=size, file_timeout=timeout)
    result = scan_paths([Path(path)], load_ruleset(), options)
    print(json.dumps({"findings": len(result.findings), "errors": result.errors}))


def huge(megabytes: int) -> list[str]:
    """Scan one minified bundle of about `megabytes` MB (own process: wall time includes start-up)."""
    from bench.run_bench import measure

    unit = len(js_minified(1)) - len("!function(){}();\n")
    rows = ["", f"### {megabytes} MB minified bundle (scan_paths with max_file_size raised, one job, own process)", ""]
    rows += ["| mark_fixable | budget | size | wall | peak RSS | peak PSS | outcome |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="growth-huge-") as folder:
        path = Path(folder) / "bundle.min.js"
        path.write_text(js_minified(megabytes * 1_000_000 // unit), encoding="utf-8")
        size = path.stat().st_size
        for fixable, budget in ((False, "default"), (True, "default"), (True, "none")):
            command = [sys.executable, __file__, "--scan-one", str(path), "on" if fixable else "off", budget]
            try:
                row = measure(command, pipe=True)
                result = json.loads(str(row["out_tail"]).strip().splitlines()[-1])
                outcome = "; ".join(e["message"] for e in result["errors"]) or f"{result['findings']} findings"
                rows.append(f"| {'on' if fixable else 'off'} | {budget} | {size / 1e6:.1f} MB | {row['wall']:.1f} s | {row['rss']:.0f} MB | {row['pss']:.0f} MB | {outcome} |")
            except RuntimeError as error:
                rows.append(f"| {'on' if fixable else 'off'} | {budget} | {size / 1e6:.1f} MB | failed: {str(error)[:120]} | | | |")
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def merge(paths: list[Path]) -> int:
    """Several runs' points (`--json`), on a shared machine: load only ever adds time, so each (shape, phase, n)
    keeps its fastest run; the exponent is fitted again, the peak PSS is the largest of the runs."""
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    rows = ["| shape | phase | exponent (n = 100 .. 2,000) | time at n=2,000 | peak PSS |", "|---|---|---|---|---|"]
    worst_exponent, worst_pss = 0.0, 0.0
    for key in dict.fromkeys(k for run in runs for k in run):
        best: dict[int, float] = {}
        for run in runs:
            for point in (run.get(key) or {}).get("points", []):
                best[point["n"]] = min(best.get(point["n"], math.inf), point["seconds"])
        points = [{"n": n, "seconds": seconds} for n, seconds in sorted(best.items())]
        slope = exponent(points)
        pss = max((run.get(key) or {}).get("pss_mb") or 0.0 for run in runs)
        worst_exponent, worst_pss = max(worst_exponent, slope or math.inf), max(worst_pss, pss)
        last = f"{points[-1]['seconds']:.3f} s at n={points[-1]['n']}" if points else "–"
        shape, phase = key.split("/")
        rows.append(f"| {shape} | {phase} | {slope:.2f} | {last} | {pss:.0f} MB |" if slope is not None else
                    f"| {shape} | {phase} | – | {last} | {pss:.0f} MB |")
    rows += ["", f"Worst exponent {worst_exponent:.2f}, worst peak PSS {worst_pss:.0f} MB ({len(runs)} runs merged)."]
    print("\n".join(rows))
    return 0 if worst_exponent <= TARGET_EXPONENT and worst_pss < TARGET_PSS_MB else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--phases", nargs="*", default=list(PHASES), choices=list(PHASES))
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--cap", type=float, default=60.0, help="stop a phase when one n takes longer (seconds)")
    parser.add_argument("--huge", type=int, default=0, metavar="MB", help="also scan a minified bundle this big")
    parser.add_argument("--json", type=Path, help="also write the raw points here")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="no run: the table of earlier --json runs, each point the fastest of them")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--scan-one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scan_one:
        scan_one(*args.scan_one)
        return 0
    if args.worker:
        worker(args.worker[0], args.worker[1], [int(n) for n in args.worker[2:]])
        return 0
    if args.merge:
        return merge(args.merge)
    sizes = sorted(args.sizes)
    header = "| shape | phase | " + " | ".join(f"n={n}" for n in sizes) + " | exponent | peak PSS |"
    rows = [header, "|" + "---|" * (len(sizes) + 4)]
    raw: dict[str, dict] = {}
    worst_exponent, worst_pss = 0.0, 0.0
    for shape in args.shapes:
        for phase in args.phases:
            points, pss, note = run_phase(shape, phase, sizes, args.cap)
            by_n = {p["n"]: p for p in points}
            slope = exponent(points)
            cells = [f"{by_n[n]['seconds']:.3f}" if n in by_n else "–" for n in sizes]
            fit = f"{slope:.2f}" if slope is not None else "–"
            if note:
                fit += f" ({note})"
            rows.append(f"| {shape} | {phase} | " + " | ".join(cells) + f" | {fit} | {pss:.0f} MB |")
            print(rows[-1], file=sys.stderr, flush=True)
            raw[f"{shape}/{phase}"] = {"points": points, "exponent": slope, "pss_mb": pss, "note": note}
            worst_exponent = max(worst_exponent, slope or 0.0, math.inf if note else 0.0)
            worst_pss = max(worst_pss, pss)
    rows.append("")
    rows.append(
        f"Worst exponent {worst_exponent:.2f} (target <= {TARGET_EXPONENT}), worst peak PSS {worst_pss:.0f} MB "
        f"(target < {TARGET_PSS_MB} MB); {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}."
    )
    if args.huge:
        rows += huge(args.huge)
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0 if worst_exponent <= TARGET_EXPONENT and worst_pss < TARGET_PSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
