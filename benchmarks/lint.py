"""`toolcheck lint` speed on the largest corpus specs, beside Spectral's OpenAPI ruleset (issue 7).

For each spec (default: the four largest in ../shared/specs) prints:

* the whole command as a user runs it (``toolcheck lint SPEC -f sarif``, a fresh process),
  cold (no spec cache) and warm (the content-hash cache primed by a previous run);
* the in-process split of a warm run: load, rules, locations (``file:line`` for every finding);
* Spectral (``@stoplight/spectral-cli`` with ``extends: spectral:oas``), the usual OpenAPI
  linter, on the same file, and the ratio.

Spectral is installed with npm into ~/.cache/toolcheck-bench/lint-peers (never into the repo).
Spectral checks different things (style and structure, not agent readiness), so the ratio is
about cost per spec, not about equal work. Run:

    python benchmarks/lint.py [--repeat 3] [--no-peers] [SPEC ...]

Target (issue 7): lint finishes in under 2 s for the largest spec.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
BENCH = Path(os.environ.get("TOOLCHECK_BENCH_DIR", Path.home() / ".cache" / "toolcheck-bench"))
PEERS = BENCH / "lint-peers"
TARGET_SECONDS = 2.0


def largest(n: int) -> list[Path]:
    files = [p for p in SPECS.rglob("*") if p.suffix in (".json", ".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:n]


def timed(cmd: list[str], env: dict[str, str], repeat: int, timeout: float = 300) -> tuple[float, int]:
    best, code = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        best = min(best, time.perf_counter() - start)
        code = proc.returncode
        if code not in (0, 1):
            sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
    return best, code


def in_process(spec: Path, cache: str) -> dict[str, float]:
    code = f"""
import json, os, time
os.environ["TOOLCHECK_CACHE_DIR"] = {cache!r}
from toolcheck.spec import load_spec
from toolcheck.agent.lint import lint
t0 = time.perf_counter(); s = load_spec({str(spec)!r}); t1 = time.perf_counter()
r = lint(s); t2 = time.perf_counter()
[f.location for f in r.findings]; t3 = time.perf_counter()
print(json.dumps({{"load": t1 - t0, "rules": t2 - t1, "locate": t3 - t2, "findings": len(r.findings),
                  "operations": len(s.operations)}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def spectral() -> list[str] | None:
    exe = PEERS / "node_modules" / ".bin" / "spectral"
    if not exe.exists():
        if shutil.which("npm") is None:
            return None
        PEERS.mkdir(parents=True, exist_ok=True)
        print("installing @stoplight/spectral-cli into", PEERS, file=sys.stderr)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(PEERS),
                        "@stoplight/spectral-cli@6"], check=False, stdout=subprocess.DEVNULL)
        if not exe.exists():
            return None
    ruleset = PEERS / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    return [str(exe), "lint", "--ruleset", str(ruleset), "--format", "json", "--quiet", "--fail-severity", "error"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    specs = args.specs or largest(4)
    peer = None if args.no_peers else spectral()
    cache = tempfile.mkdtemp(prefix="toolcheck-lint-bench-")
    base_env = {**os.environ, "NO_COLOR": "1", "TOOLCHECK_CACHE_DIR": cache}
    cli = [sys.executable, "-m", "toolcheck", "lint", "--format", "sarif", "--fail-on", "never", "--out", os.devnull]
    print(f"{'spec':42} {'MB':>5} {'ops':>4} {'cold s':>7} {'warm s':>7} {'load':>6} {'rules':>6} {'locate':>6} "
          f"{'findings':>8} {'spectral s':>10} {'ratio':>6}")
    for spec in specs:
        cold, _ = timed([*cli, str(spec)], {**base_env, "TOOLCHECK_NO_CACHE": "1"}, args.repeat)
        timed([*cli, str(spec)], base_env, 1)  # prime the cache
        warm, _ = timed([*cli, str(spec)], base_env, args.repeat)
        split = in_process(spec, cache)
        peer_time = float("nan")
        if peer is not None:
            try:
                peer_time, _ = timed([*peer, str(spec)], dict(os.environ), 1, timeout=600)
            except subprocess.TimeoutExpired:
                peer_time = float("inf")
        ratio = peer_time / warm if warm else float("nan")
        name = str(spec.relative_to(SPECS)) if spec.is_relative_to(SPECS) else str(spec)
        print(f"{name[:42]:42} {spec.stat().st_size / 1e6:5.1f} {split['operations']:4d} {cold:7.2f} {warm:7.2f} "
              f"{split['load']:6.2f} {split['rules']:6.2f} {split['locate']:6.2f} {split['findings']:8d} "
              f"{peer_time:10.2f} {ratio:5.1f}x")
    shutil.rmtree(cache, ignore_errors=True)
    print(f"\ntarget: the largest spec under {TARGET_SECONDS:.0f} s (whole command, warm cache; cold includes the "
          "first parse of the spec). ratio = Spectral time / toolcheck warm time.")


if __name__ == "__main__":
    main()
