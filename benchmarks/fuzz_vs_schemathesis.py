"""toolcheck fuzz vs Schemathesis on the planted-bug service (same service, same machine).

    python benchmarks/fuzz_vs_schemathesis.py [--seed 1] [--max-time 30] [--skip-install]

Installs Schemathesis into a venv under ~/.cache/toolcheck-bench (outside the repo), starts
``examples/planted_bugs/app.py`` on a free loopback port (fresh for each tool), runs each tool
with its default settings (toolcheck also gets ``--max-time``, Schemathesis has no time budget
option: its default run is the reference), and prints distinct planted bugs found, cases/s and
the ratios. A generation micro-benchmark compares toolcheck's own value generator with
hypothesis-jsonschema (the engine behind ``payloads/strategies.py``) on ``InvoiceCreate``.
Numbers are CPU-bound and noisy on a shared 2-core machine: compare ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"
APP = ROOT / "examples" / "planted_bugs" / "app.py"
CACHE = Path.home() / ".cache" / "toolcheck-bench"
VENV = CACHE / "schemathesis-venv"


def planted() -> dict[int, tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("planted_app", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PLANTED)


def install() -> Path:
    st = VENV / "bin" / "st"
    if not st.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "schemathesis"], check=True)
    return st


class Service:
    def __enter__(self) -> str:
        self.proc = subprocess.Popen([sys.executable, str(APP), "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        url = self.proc.stdout.readline().split()[-1]
        time.sleep(0.5)
        return url

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def operation_for(method: str, path: str) -> str | None:
    from toolcheck.spec import load_spec

    for op in load_spec(str(SPEC)).operations:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "$"
        if op.method == method.lower() and re.match(pattern, path.split("?")[0]):
            return op.operation_id
    return None


def schemathesis_bugs(output: str) -> set[tuple[str, str]]:
    """Map Schemathesis's text report onto (operation, toolcheck check) pairs."""
    found: set[tuple[str, str]] = set()
    section = ""
    for block in re.split(r"\n(?=_{3,} .+ _{3,}\n)|\n(?=\d+\. Test Case ID)", output):
        header = re.match(r"_{3,} (.+?) _{3,}", block)
        if header:
            section = header.group(1)
        curls = re.findall(r"curl -X (\w+) .*?(https?://\S+)", block)
        paths = [(m, re.sub(r"^https?://[^/]+", "", u)) for m, u in curls]
        status = re.search(r"^\[(\d{3})\]", block, re.M)
        code = int(status.group(1)) if status else 0
        if section and section != "Stateful tests" and " " in section:
            method, path = section.split(" ", 1)
            op = next((o for o in [operation_for(method, p) for _, p in paths] if o), None) or _template_op(method, path)
        elif paths:
            op = operation_for(*paths[-1])
        else:
            continue
        for st_code, title in re.findall(r"^- (ST\d+) (.+)$", block, re.M):
            check = {
                "ST101": "server_error", "ST103": "status_documented", "ST201": "negative_accepted",
                "ST401": "auth_not_enforced",
            }.get(st_code)
            target = op
            if st_code == "ST105":
                check = "error_schema" if 400 <= code < 500 else "content_type"
            elif st_code == "ST108":
                check = "header_schema" if "header" in title.lower() else ("error_schema" if 400 <= code < 500 else "body_schema")
            elif st_code == "ST302" and paths:
                check, target = "resource_not_readable", operation_for(*paths[0])
            elif st_code == "ST301":
                deletes = [p for p in paths if p[0] == "DELETE"]
                check, target = "deleted_still_readable", operation_for(*deletes[0]) if deletes else op
            if check and target:
                found.add((target, check))
    return found


def _template_op(method: str, template: str) -> str | None:
    from toolcheck.spec import load_spec

    for op in load_spec(str(SPEC)).operations:
        if op.method == method.lower() and op.path == template:
            return op.operation_id
    return None


def run_toolcheck(url: str, seed: int, max_time: float | None) -> tuple[set[tuple[str, str]], int, float, float]:
    budget = ["--max-time", str(max_time)] if max_time else []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "toolcheck", "fuzz", str(SPEC), "--base-url", url, "--bearer", "test-token",
                        "--seed", str(seed), *budget, "--reports", tmp, "--format", "json", "-q"],
                       check=False, capture_output=True, text=True)
        wall = time.perf_counter() - started
        findings = json.loads((Path(tmp) / "fuzz-findings.json").read_text())["findings"]
        report = json.loads((Path(tmp) / "report.json").read_text())
    return ({(f["operation_id"], f["check"]) for f in findings}, int(report["summary"]["requests"]), wall,
            float(report["duration"]))


def run_schemathesis(st: Path, url: str, seed: int) -> tuple[set[tuple[str, str]], int, float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        proc = subprocess.run([str(st), "run", str(SPEC), "--url", url, "-H", "Authorization: Bearer test-token",
                               "--seed", str(seed), "--generation-database", "none"],
                              capture_output=True, text=True, cwd=tmp, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})
        wall = time.perf_counter() - started
    out = proc.stdout
    generated = re.search(r"(\d+) generated", out)
    reported = re.search(r"in ([0-9.]+)s =+\s*$", out.strip())
    run = float(reported.group(1)) if reported else wall
    return schemathesis_bugs(out), int(generated.group(1)) if generated else 0, wall, run, out


def generation_rates(seconds: float = 2.0) -> tuple[float, float]:
    import random
    import warnings

    from hypothesis import HealthCheck, given, settings

    from toolcheck.payloads.strategies import strategy_for
    from toolcheck.payloads.values import ValueGenerator
    from toolcheck.spec import load_spec

    spec = load_spec(str(SPEC))
    schema = {"$ref": "#/components/schemas/InvoiceCreate"}
    gen = ValueGenerator(spec, random.Random(1))
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        gen.valid_value(schema)
        n += 1
    own = n / (time.perf_counter() - started)
    count = [0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @given(strategy_for(spec, schema))
        @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def draw(value: object) -> None:
            count[0] += 1

        started = time.perf_counter()
        draw()
        hjs = count[0] / (time.perf_counter() - started)
    return own, hjs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-time", type=float, default=None,
                        help="toolcheck's whole-run budget (s); default: none, a default run (target: under 30 s)")
    parser.add_argument("--skip-install", action="store_true")
    args = parser.parse_args()
    bugs = set(planted().values())
    st = VENV / "bin" / "st" if args.skip_install else install()

    with Service() as url:
        tc_found, tc_cases, tc_wall, tc_run = run_toolcheck(url, args.seed, args.max_time)
    with Service() as url:
        st_found, st_cases, st_wall, st_run, st_out = run_schemathesis(st, url, args.seed)

    tc_bugs, st_bugs = len(bugs & tc_found), len(bugs & st_found)
    tc_rate, st_rate = tc_cases / tc_wall, (st_cases / st_wall if st_wall else 0.0)
    print(f"planted bugs: {len(bugs)}")
    if args.max_time is None:  # the speed target the planted-bug test used to time (tests assert no time)
        print(f"toolcheck default run: wall {tc_wall:.1f} s (target: under 30 s) "
              f"{'ok' if tc_wall < 30 else 'MISSED'}")
    for name, n, cases, wall, run, rate, other in (
        ("toolcheck", tc_bugs, tc_cases, tc_wall, tc_run, tc_rate, tc_found - bugs),
        ("schemathesis", st_bugs, st_cases, st_wall, st_run, st_rate, st_found - bugs),
    ):
        print(f"{name:13}: {n}/{len(bugs)} bugs, {cases} cases; wall {wall:.1f} s ({rate:.0f} cases/s), "
              f"as reported {run:.1f} s ({cases / run if run else 0:.0f} cases/s); other findings: {sorted(other) or 'none'}")
    print(f"ratios (toolcheck / schemathesis): bugs {tc_bugs}/{st_bugs}, cases/s (wall) "
          f"{tc_rate / st_rate if st_rate else float('inf'):.2f}x, cases/s (reported) "
          f"{(tc_cases / tc_run) / (st_cases / st_run) if st_cases and tc_run and st_run else float('inf'):.2f}x, "
          f"wall time {tc_wall / st_wall if st_wall else 0:.2f}x")
    missed = bugs - tc_found
    if missed:
        print(f"toolcheck missed: {sorted(missed)}")
    own, hjs = generation_rates()
    print(f"generation (InvoiceCreate, valid values/s): toolcheck {own:.0f}, hypothesis-jsonschema {hjs:.0f} "
          f"({own / hjs:.1f}x)")
    if not st_found:
        print("schemathesis output tail:\n" + "\n".join(st_out.splitlines()[-30:]))


if __name__ == "__main__":
    main()
