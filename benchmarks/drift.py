"""`toolcheck drift` speed and memory on real spec pairs, and the ratio to the peers that run here.

Measures, each in a fresh interpreter: load both specs (cold: ``use_cache=False``, and warm:
from the content-hash cache) plus ``diff``; peak RSS (``ru_maxrss``) and the Python heap peak
(tracemalloc, a separate run because tracing slows Python down). Pairs: the ones in
``../shared/specs/pairs`` (Stripe 3.7 → 4.2 MB, OpenAI 2.8 → 3.0 MB, Discord, Twilio) plus a
GitHub-sized pair built from GitHub's 3.7 MB spec and a mutated copy (operations removed, a
type changed, a required parameter added).

Peers are installed from npm into ~/.cache/toolcheck-bench/drift-peers (never into the repo):
Atlassian ``openapi-diff`` 0.24.1 and Optic ``@useoptic/optic`` 1.0.9 (its nested ajv 8.20 copies
crash at import, so they are removed in favour of the top-level 8.18). Each peer run has a
timeout; a peer that fails or times out is printed as such, with a lower bound for the ratio.
Targets (issue 6): Stripe pair < 1 s, GitHub-sized pairs < 3 s, peak memory < 200 MB.

    python benchmarks/drift.py [--no-peers] [--peer-timeout 45] [--pairs stripe,github]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
BENCH = Path(os.environ.get("TOOLCHECK_BENCH_DIR", Path.home() / ".cache" / "toolcheck-bench"))
PEERS = BENCH / "drift-peers"

PROBE = textwrap.dedent(
    """
    import json, resource, sys, time
    old, new, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    from toolcheck.spec import load_spec
    from toolcheck.drift import diff
    from toolcheck.findings import Severity
    if mode == "trace":
        import tracemalloc
        tracemalloc.start()
    if mode == "warm":
        load_spec(old, use_cache=True); load_spec(new, use_cache=True)
    t, c = time.perf_counter(), time.process_time()
    a = load_spec(old, use_cache=(mode == "warm"))
    b = load_spec(new, use_cache=(mode == "warm"))
    loaded = time.perf_counter()
    report = diff(a, b)
    done = time.perf_counter()
    out = {"load": loaded - t, "diff": done - loaded, "total": done - t, "cpu": time.process_time() - c,
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "findings": len(report.findings), "errors": report.count(Severity.ERROR),
           "rows": len(report.groups(report.at_least(Severity.WARNING))), "flagged": len(report.at_least(Severity.WARNING))}
    if mode == "trace":
        out["heap_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(out))
    """
)


def pairs(selected: set[str] | None) -> dict[str, tuple[Path, Path]]:
    out: dict[str, tuple[Path, Path]] = {}
    for meta_path in sorted((SPECS / "pairs").glob("*/meta.json")):
        meta = json.loads(meta_path.read_text())
        out[meta_path.parent.name] = (meta_path.parent / meta["old"]["file"], meta_path.parent / meta["new"]["file"])
    github = SPECS / "github-api.github.com-2021-10-10.json"
    if github.is_file():
        out["github (mutated)"] = github_pair(github)
    return {k: v for k, v in out.items() if selected is None or k.split()[0] in selected}


def github_pair(src: Path) -> tuple[Path, Path]:
    """GitHub's spec and a copy with 5 operations removed, a type changed and a required parameter added."""
    target = BENCH / "drift-github"
    old, new = target / "old.json", target / "new.json"
    if not new.is_file() or new.stat().st_mtime < src.stat().st_mtime:
        target.mkdir(parents=True, exist_ok=True)
        doc = json.loads(src.read_text())
        shutil.copyfile(src, old)
        paths = doc["paths"]
        for path in list(paths)[10:15]:
            del paths[path]
        schemas = doc["components"]["schemas"]
        for name in list(schemas)[:20]:
            props = schemas[name].get("properties") or {}
            for prop in list(props)[:1]:
                props[prop] = {"type": "integer"}
        for item in list(paths.values())[20:40]:
            for op in item.values():
                if isinstance(op, dict) and "responses" in op:
                    op.setdefault("parameters", []).append(
                        {"name": "x-bench", "in": "header", "required": True, "schema": {"type": "string"}})
        new.write_text(json.dumps(doc))
    return old, new


def run_toolcheck(old: Path, new: Path, mode: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(old), str(new), mode], capture_output=True, text=True,
                          env={**os.environ, "TOOLCHECK_CACHE_DIR": str(BENCH / "spec-cache")}, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"toolcheck failed on {old}: {proc.stderr[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ensure_peers() -> dict[str, list[str]]:
    """Install the npm peers once; return the commands that run them (empty if npm is missing)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        print("peers: npm/node not found: Atlassian openapi-diff and Optic cannot run here")
        return {}
    bin_dir = PEERS / "node_modules" / ".bin"
    if not (bin_dir / "optic").exists() or not (bin_dir / "openapi-diff").exists():
        PEERS.mkdir(parents=True, exist_ok=True)
        (PEERS / "package.json").write_text(json.dumps({"name": "drift-peers", "private": True,
                                                        "overrides": {"ajv": "8.18.0"}}))
        proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "openapi-diff@0.24.1",
                               "@useoptic/optic@1.0.9"], cwd=PEERS, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            print(f"peers: npm install failed: {proc.stderr[-300:]}")
            return {}
    for nested in (PEERS / "node_modules" / "@stoplight").glob("*/node_modules/ajv"):
        if json.loads((nested / "package.json").read_text()).get("version", "").startswith("8.20"):
            shutil.rmtree(nested)  # ajv 8.20 + ajv-errors 3.0 crash Optic at import
    out = {}
    if (bin_dir / "openapi-diff").exists():
        out["atlassian openapi-diff"] = [str(bin_dir / "openapi-diff"), "{old}", "{new}"]
    if (bin_dir / "optic").exists():
        out["optic"] = [str(bin_dir / "optic"), "diff", "{old}", "{new}", "--check"]
    return out


def run_peer(cmd: list[str], old: Path, new: Path, timeout: float) -> tuple[str, float, float | None, str]:
    """(status, seconds, max RSS MB, reason) for one peer run; status is ok, failed or timeout."""
    args = [c.format(old=old, new=new) for c in cmd]
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    prefix = [timer, "-f", "RSSKB %M"] if timer else []
    env = {**os.environ, "OPTIC_TELEMETRY_LEVEL": "off", "NODE_OPTIONS": "--max-old-space-size=4096"}
    started = time.perf_counter()
    try:
        proc = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - started, None, ""
    elapsed = time.perf_counter() - started
    rss = None
    for line in proc.stderr.splitlines()[::-1]:
        if line.startswith("RSSKB "):
            rss = int(line.split()[1]) / 1024
            break
    # both peers exit 1 when they find breaking changes, so judge by what they printed
    produced = '"breakingDifferencesFound"' in proc.stdout or "Rerun this command" in proc.stdout \
        or "checks" in proc.stdout.lower()
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines()
             if ln.strip() and not ln.strip().startswith(("at ", "RSSKB", "}", "Node.js", "code:", "cause:"))]
    reason = next((ln for ln in lines if "rror" in ln or "invalid" in ln.lower()), lines[-1] if lines else "")
    return ("ok" if produced else "failed"), elapsed, rss, reason[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--peer-timeout", type=float, default=45.0)
    parser.add_argument("--pairs", default="", help="comma-separated subset (stripe, openai, discord, twilio-messaging, github)")
    args = parser.parse_args()
    selected = {p.strip() for p in args.pairs.split(",") if p.strip()} or None
    chosen = pairs(selected)
    peers = {} if args.no_peers else ensure_peers()
    if args.no_peers:
        print("peers: skipped (--no-peers)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall times suffer when it is above the CPU count)")
    print(f"{'pair':20} {'MB':>9} {'cold s':>7} {'(load+diff)':>13} {'cpu s':>6} {'warm s':>7} {'RSS MB':>7} "
          f"{'heap MB':>8} findings")
    results: dict[str, dict[str, float]] = {}
    for name, (old, new) in chosen.items():
        size = (old.stat().st_size + new.stat().st_size) / 2**20
        cold = run_toolcheck(old, new, "cold")
        warm = run_toolcheck(old, new, "warm")
        traced = run_toolcheck(old, new, "trace")
        results[name] = cold
        print(f"{name:20} {size:9.1f} {cold['total']:7.2f} {cold['load']:6.2f}+{cold['diff']:<6.2f} {cold['cpu']:6.2f} "
              f"{warm['total']:7.2f} "
              f"{cold['rss_mb']:7.0f} {traced['heap_mb']:8.0f} {int(cold['findings'])} ({int(cold['errors'])} errors; "
              f"{int(cold['flagged'])} at warning+ in {int(cold['rows'])} rows)")
    targets = {"stripe": 1.0, "openai": 3.0, "github (mutated)": 3.0}
    for name, limit in targets.items():
        if name in results:
            r = results[name]
            verdict = "ok" if r["total"] < limit else ("ok on CPU time" if r["cpu"] < limit else "MISSED")
            print(f"target {name}: cold {r['total']:.2f} s wall, {r['cpu']:.2f} s CPU < {limit} s: {verdict}")
    for peer, cmd in peers.items():
        for name, (old, new) in chosen.items():
            if name.startswith("github"):
                # GitHub's spec has "$ref" keys inside example data pointing at api.github.com, which
                # Optic tries to download: peers never run on it (no traffic beyond localhost).
                print(f"{peer:24} {name:20} not run: the spec makes peers fetch remote URLs")
                continue
            status, seconds, rss, reason = run_peer(cmd, old, new, args.peer_timeout)
            ours = results[name]["total"]
            mem = f", {rss:.0f} MB" if rss else ""
            if status == "ok":
                print(f"{peer:24} {name:20} {seconds:7.2f} s{mem}  ratio {seconds / ours:6.1f}× toolcheck (cold)")
            elif status == "timeout":
                print(f"{peer:24} {name:20} no result within {seconds:.0f} s: ratio > {seconds / ours:.0f}×")
            else:
                print(f"{peer:24} {name:20} failed after {seconds:.1f} s{mem}: {reason}")


if __name__ == "__main__":
    main()
