"""Spec loading speed: toolcheck vs a bare parse and vs peers' loaders (issue 2).

Prints, for the largest specs, the time to load + resolve + index with toolcheck (cold, and
warm from the content-hash cache), the ratio to a bare ``json.loads`` (JSON) or libyaml
``CSafeLoader`` parse (YAML), the ratio to ``openapi_core.OpenAPI.from_dict`` and to
schemathesis's loader on the same files, and peak memory relative to the file size.

A Spec builds its Operations (and, from the cache, parses its document) on first use, so
each load is also timed with the document parsed and with every operation built: those
lines show what a command that reads the whole spec (check, mock, fuzz) pays.

Peers are installed from PyPI into a virtualenv under ~/.cache/toolcheck-bench (never into
the project's environment) and timed in subprocesses. Run:

    python benchmarks/load.py [--repeat 3] [--no-peers] [SPEC ...]

Targets (issue 2): JSON ≤ 3× json.loads; YAML ≤ 1.2× CSafeLoader; warm load < 20% of cold;
peak memory < 10× file size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
DEFAULT = [
    SPECS / "stripe-2023-09-12.yaml",
    SPECS / "github-api.github.com-2021-10-10.json",
    SPECS / "openai-2.3.0.yaml",
]
BENCH = Path(os.environ.get("TOOLCHECK_BENCH_DIR", Path.home() / ".cache" / "toolcheck-bench"))
PEER_VENV = BENCH / "load-peers"
KINDS = ("cold", "cold-full", "warm", "warm-document", "warm-full")

# Runs in a fresh interpreter: measures one loader on one file, prints JSON.
PROBE = textwrap.dedent(
    """
    import json, resource, sys, time
    kinds, path, repeat = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])
    raw = open(path, "rb").read()
    def parse():
        if path.endswith(".json"):
            return json.loads(raw)
        import yaml
        return yaml.load(raw, Loader=yaml.CSafeLoader)
    def run(kind):
        if kind == "parse":
            return parse()
        if kind == "parse-nogc":  # toolcheck pauses the cyclic GC while it loads: shown for fairness
            import gc
            gc.disable()
            try:
                return parse()
            finally:
                gc.enable()
        if kind.startswith("toolcheck-"):
            from toolcheck.spec import load_spec
            spec = load_spec(path, use_cache=kind.startswith("toolcheck-warm"))
            if kind.endswith("-document"):
                spec.document
            elif kind.endswith("-full"):  # every Operation built, every problem found
                spec.operations, spec.webhooks, spec.problems
            return spec
        if kind == "openapi-core":
            from openapi_core import OpenAPI
            return OpenAPI.from_dict(parse())
        if kind == "schemathesis":
            import schemathesis
            schema = schemathesis.openapi.from_dict(parse())
            return sum(1 for _ in schema.get_all_operations())
        raise SystemExit(f"unknown kind {kind}")
    if any(kind.startswith("toolcheck-warm") for kind in kinds):
        run("toolcheck-warm")  # fill the cache
    # Kinds are interleaved round by round, so a noisy neighbour slows all of them alike and
    # each ratio compares runs made seconds apart; the fastest round of each kind is kept.
    times = {kind: [] for kind in kinds}
    for _ in range(repeat):
        for kind in kinds:
            t = time.perf_counter()
            run(kind)
            times[kind].append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": {kind: min(ts) for kind, ts in times.items()}, "rss": rss}))
    """
)


def ensure_peers() -> Path | None:
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".ok"
    if marker.exists():
        return python
    print(f"installing peers into {PEER_VENV} ...", flush=True)
    venv.create(PEER_VENV, with_pip=True)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "openapi-core", "schemathesis", "pyyaml"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        print("could not install peers:", proc.stderr[-500:])
        return None
    marker.write_text("ok")
    return python


def measure(python: str, kind: str, path: Path, repeat: int) -> dict[str, Any] | None:
    """Run the probe for one kind or a comma-separated list; {"seconds": {kind: s}, "rss": bytes}."""
    env = {**os.environ, "TOOLCHECK_CACHE_DIR": str(BENCH / "spec-cache")}
    proc = subprocess.run([python, "-c", PROBE, kind, str(path), str(repeat)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print(f"  {kind}: failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (the fastest of each is kept)")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    specs = args.specs or [p for p in DEFAULT if p.exists()]
    peer_python = None if args.no_peers else ensure_peers()
    ours = sys.executable
    for path in specs:
        size = path.stat().st_size
        print(f"\n{path.name} ({size / 1e6:.1f} MB)")
        kinds = ["parse", "parse-nogc"] + [f"toolcheck-{k}" for k in KINDS]
        timed = measure(ours, ",".join(kinds), path, args.repeat)
        base_rss = measure(ours, "parse", path, 1)
        full_rss = measure(ours, "toolcheck-cold-full", path, 1)
        if not (timed and base_rss and full_rss):
            continue
        sec = {kind.removeprefix("toolcheck-"): value for kind, value in timed["seconds"].items()}
        parser_name = "json.loads" if path.suffix == ".json" else "CSafeLoader"
        target = 3.0 if path.suffix == ".json" else 1.2

        def verdict(ok: bool) -> str:
            return "OK" if ok else "MISS"

        print(f"  {parser_name:28} {sec['parse']:.3f} s")
        print(f"  {parser_name + ', GC paused':28} {sec['parse-nogc']:.3f} s  (toolcheck cold = "
              f"{sec['cold'] / sec['parse-nogc']:.2f}x this; the ratios below are to the plain parse)")
        for kind, label in (("cold", "toolcheck cold (load_spec)"), ("cold-full", "  + every operation built")):
            ratio = sec[kind] / sec["parse"]
            print(f"  {label:28} {sec[kind]:.3f} s  = {ratio:.2f}x {parser_name} (target <= {target}x) {verdict(ratio <= target)}")
        for kind, label, against in (("warm", "toolcheck warm (load_spec)", "cold"),
                                     ("warm-document", "  + document parsed", "cold"),
                                     ("warm-full", "  + every operation built", "cold-full")):
            ratio = sec[kind] / sec[against]
            print(f"  {label:28} {sec[kind]:.3f} s  = {ratio:.0%} of {against} (target < 20%) {verdict(ratio < 0.2)}")
        extra = full_rss["rss"] - base_rss["rss"] + size
        print(f"  peak RSS (cold, full)        {full_rss['rss'] / 1e6:.0f} MB (interpreter + parse {base_rss['rss'] / 1e6:.0f} MB); "
              f"model ~{max(extra, 0) / size:.1f}x file size")
        if peer_python:
            for kind in ("openapi-core", "schemathesis"):
                peer = measure(str(peer_python), kind, path, 1)
                if peer:
                    seconds = peer["seconds"][kind]
                    print(f"  {kind:16} {seconds:.3f} s  -> toolcheck (every operation built) is "
                          f"{seconds / sec['cold-full']:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
