"""toolcheck's MCP tool list vs FastMCP's ``FastMCP.from_openapi`` on the corpus specs.

Per spec: converts or not, tool count, tokens of the whole ``tools/list`` (compact JSON), share
of tools with an ``outputSchema``, and conversion time (spec file → tool list, imports excluded).
Ratios are printed; nothing is asserted (benchmarks are not tests).

FastMCP runs in its own venv outside the repo, one fresh process per spec (bounded by --timeout):

    python3 -m venv /work/peers/fastmcp/.venv
    /work/peers/fastmcp/.venv/bin/pip install fastmcp==4.1.6 bpe-openai

Tokens: ``tiktoken`` cannot load its encodings offline (it downloads them on first use), so the
count uses ``bpe-openai`` (tiktoken-compatible API, vocabularies shipped in the wheel) with
``o200k_base``, run in the peers venv over both lists. Without it, the count falls back to
characters / 4 and says so.

    .venv/bin/python benchmarks/tools_vs_fastmcp.py [--only NAME ...] [--timeout 300]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
PEER = Path("/work/peers/fastmcp/.venv/bin/python")

FASTMCP_SIDE = r'''
import asyncio, json, sys, time, warnings
warnings.filterwarnings("ignore")
import yaml, httpx2
from fastmcp import FastMCP, Client
path, out = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
started = time.perf_counter()
try:
    doc = yaml.safe_load(text)
    server = FastMCP.from_openapi(openapi_spec=doc, client=httpx2.AsyncClient(base_url="http://127.0.0.1:9"))
    async def listing():
        async with Client(server) as client:
            return await client.list_tools()
    tools = asyncio.run(listing())
    listed = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]
    result = {"ok": True, "seconds": time.perf_counter() - started, "tools": listed}
except Exception as exc:
    result = {"ok": False, "seconds": time.perf_counter() - started, "error": f"{type(exc).__name__}: {exc}"[:300]}
open(out, "w").write(json.dumps(result))
'''

TOKENS_SIDE = r'''
import json, sys
texts = json.load(open(sys.argv[1]))
try:
    import bpe_openai
    enc = bpe_openai.get_encoding("o200k_base")
    # Specs may quote special-token text ("<|endoftext|>"): count it as plain text.
    counts = [len(enc.encode(t, disallowed_special=())) for t in texts]
    print(json.dumps({"method": "o200k_base (bpe-openai)", "counts": counts}))
except Exception as exc:
    print(json.dumps({"method": f"chars/4 ({type(exc).__name__})", "counts": [len(t) // 4 for t in texts]}))
'''


def toolcheck_side(path: Path) -> dict[str, object]:
    from toolcheck.agent import build_tools
    from toolcheck.spec import load_spec

    started = time.perf_counter()
    try:
        spec = load_spec(str(path))
        tools = [t.render("mcp") for t in build_tools(spec, defs=True, outputs=True)]
    except Exception as exc:  # a benchmark reports a failure, it does not stop
        return {"ok": False, "seconds": time.perf_counter() - started, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "seconds": time.perf_counter() - started, "tools": tools}


def fastmcp_side(path: Path, timeout: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        try:
            subprocess.run([str(PEER), "-c", FASTMCP_SIDE, str(path), str(out)], timeout=timeout,
                           capture_output=True, check=False)
        except subprocess.TimeoutExpired:
            return {"ok": False, "seconds": timeout, "error": f"timed out after {timeout:g}s"}
        if not out.is_file():
            return {"ok": False, "seconds": 0.0, "error": "crashed (no result)"}
        result: dict[str, object] = json.loads(out.read_text())
        return result


def count_tokens(texts: list[str]) -> tuple[str, list[int]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(texts, fh)
    try:
        done = subprocess.run([str(PEER), "-c", TOKENS_SIDE, fh.name], capture_output=True, text=True, timeout=600)
        answer = json.loads(done.stdout)
        return str(answer["method"]), [int(n) for n in answer["counts"]]
    except Exception as exc:
        return f"chars/4 ({type(exc).__name__})", [len(t) // 4 for t in texts]
    finally:
        Path(fh.name).unlink()


def summary(result: dict[str, object]) -> tuple[int, int, str]:
    tools = result.get("tools") or []
    assert isinstance(tools, list)
    with_output = sum(1 for t in tools if t.get("outputSchema"))
    return len(tools), with_output, json.dumps({"tools": tools}, separators=(",", ":"), ensure_ascii=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="spec files (MANIFEST names) to run")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per FastMCP conversion")
    args = parser.parse_args()
    if not PEER.is_file():
        print(f"FastMCP is not installed at {PEER}; see this script's docstring", file=sys.stderr)
        return 2
    with (SPECS / "MANIFEST.tsv").open() as fh:
        files = [r["file"] for r in csv.DictReader(fh, delimiter="\t")
                 if (SPECS / r["file"]).is_file() and not r["file"].startswith("pairs/")]
    if args.only:
        files = [f for f in files if f in args.only or Path(f).name in args.only]
    rows = []
    for name in files:
        ours = toolcheck_side(SPECS / name)
        theirs = fastmcp_side(SPECS / name, args.timeout)
        rows.append((name, ours, theirs))
        print(f"  {name}: toolcheck {'ok' if ours['ok'] else 'FAIL'} {float(ours['seconds']):.2f}s, "
              f"FastMCP {'ok' if theirs['ok'] else 'FAIL'} {float(theirs['seconds']):.2f}s", file=sys.stderr, flush=True)
    texts = [summary(r)[2] for _, ours, theirs in rows for r in (ours, theirs)]
    method, counts = count_tokens(texts)
    print(f"tokens: {method}")
    header = (f"{'spec':44} {'tc':>3} {'fm':>3} {'tools tc/fm':>11} {'tokens tc':>10} {'tokens fm':>10} "
              f"{'ratio':>6} {'out% tc/fm':>10} {'time tc':>8} {'time fm':>8} {'speedup':>7}")
    print(header)
    both = within_size = within_time = 0
    for i, (name, ours, theirs) in enumerate(rows):
        n_ours, out_ours, _ = summary(ours)
        n_theirs, out_theirs, _ = summary(theirs)
        tok_ours, tok_theirs = counts[2 * i], counts[2 * i + 1]
        ratio = f"{tok_ours / tok_theirs:.2f}" if ours["ok"] and theirs["ok"] and tok_theirs else "-"
        t_ours, t_theirs = float(ours["seconds"]), float(theirs["seconds"])
        speed = f"{t_theirs / t_ours:.0f}x" if ours["ok"] and theirs["ok"] and t_ours else "-"
        share = (f"{100 * out_ours // max(n_ours, 1)}/{100 * out_theirs // max(n_theirs, 1)}"
                 if ours["ok"] and theirs["ok"] else "-")
        print(f"{name[:44]:44} {'y' if ours['ok'] else 'n':>3} {'y' if theirs['ok'] else 'n':>3} "
              f"{n_ours:>5}/{n_theirs:<5} {tok_ours if ours['ok'] else '-':>10} {tok_theirs if theirs['ok'] else '-':>10} "
              f"{ratio:>6} {share:>10} {t_ours:>7.2f}s {t_theirs:>7.2f}s {speed:>7}")
        if ours["ok"] and theirs["ok"]:
            both += 1
            within_size += tok_ours <= tok_theirs
            within_time += t_ours * 5 <= t_theirs
    converted = sum(1 for _, o, _ in rows if o["ok"]), sum(1 for _, _, t in rows if t["ok"])
    print(f"converted: toolcheck {converted[0]}/{len(rows)}, FastMCP {converted[1]}/{len(rows)}")
    print(f"of {both} specs both convert: list size <= FastMCP's on {within_size}; "
          f"conversion time <= 1/5 of FastMCP's on {within_time}")
    for name, _, theirs in rows:
        if not theirs["ok"]:
            print(f"  FastMCP failed on {name}: {theirs.get('error')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
