"""Benchmark `toolcheck mock` against Prism (`@stoplight/prism-cli`) on the same spec and load.

    python benchmarks/mock_vs_prism.py [--duration 5] [--connections 16] [--skip-stripe]

Installs Prism with npm into ~/.cache/toolcheck-bench (outside the repo), uses `wrk` when it is
on PATH (Debian: `apt-get install -y wrk`) and a small asyncio keep-alive load generator
otherwise. For each server and mode it prints requests/s, p99 latency, peak RSS of the whole
process tree and the time from process start to the first HTTP answer, then the ratios.
Both servers run with their default logging (ours to a pipe, like Prism's), with request
validation on. Numbers are not asserted anywhere: this is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TOOLCHECK_BENCH_CACHE", Path.home() / ".cache" / "toolcheck-bench"))
EXAMPLE = ROOT / "examples" / "agent-tools" / "openapi.yaml"
STRIPE = ROOT.parent / "shared" / "specs" / "stripe-2023-09-12.yaml"
AUTH = "Bearer tok_benchmark"
GET_PATH = "/customers/cus_0001"
POST_PATH = "/tickets"
POST_BODY = '{"customer_id":"cus_0001","subject":"Invoice total looks wrong","body":"The total does not add up.","priority":"normal"}'


def prism_bin() -> Path:
    target = CACHE / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing @stoplight/prism-cli into {CACHE} ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), "@stoplight/prism-cli"],
                       check=True, stdout=subprocess.DEVNULL)
    return target


def ensure_wrk() -> bool:
    """wrk on PATH, installed from Debian when we are root and it is missing."""
    if shutil.which("wrk"):
        return True
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return shutil.which("wrk") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_tree_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    stack = [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def wait_first_answer(port: int, path: str, started: float, proc: subprocess.Popen[bytes], limit: float = 60) -> float:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\nConnection: close\r\n\r\n".encode()
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(request)
                if sock.recv(16).startswith(b"HTTP/"):
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("no answer within the limit")


def start(kind: str, spec: Path, dynamic: bool, port: int, extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    if kind == "prism":
        cmd = ["node", str(prism_bin()), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
        if dynamic:
            cmd.append("-d")
    else:
        cmd = [sys.executable, "-m", "toolcheck", "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)]
        if dynamic:
            cmd.append("--dynamic")
        cmd.extend(extra)
    env = {**os.environ, "NO_COLOR": "1"}
    # Default logging on for both, drained by a pipe reader so neither blocks on a full pipe.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    import threading

    def drain() -> None:
        assert proc.stdout is not None
        for _ in iter(lambda: proc.stdout.read(65536), b""):  # type: ignore[union-attr]
            pass

    threading.Thread(target=drain, daemon=True).start()
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_wrk(url: str, duration: float, connections: int, post: bool) -> tuple[float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if post:
            script.write(f'wrk.method = "POST"\nwrk.body = \'{POST_BODY}\'\n'
                         'wrk.headers["Content-Type"] = "application/json"\n')
        script.write(f'wrk.headers["Authorization"] = "{AUTH}"\n')
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(duration))}s", "--latency",
                              "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_raw = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(p99_raw.group(1)) * scale[p99_raw.group(2)] if p99_raw else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


async def _py_load(host: str, port: int, path: str, duration: float, connections: int, post: bool) -> tuple[float, float, int]:
    body = POST_BODY.encode() if post else b""
    head = (f"{'POST' if post else 'GET'} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {AUTH}\r\n"
            + (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if post else "") + "\r\n").encode()
    latencies: list[float] = []
    bad = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if status_line[9:10] not in (b"2", b"3"):
                bad += 1
        writer.close()

    start_time = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start_time
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p99, bad


def load(port: int, path: str, duration: float, connections: int, post: bool) -> tuple[float, float, int]:
    if shutil.which("wrk"):
        return run_wrk(f"http://127.0.0.1:{port}{path}", duration, connections, post)
    return asyncio.run(_py_load("127.0.0.1", port, path, duration, connections, post))


def bench(kind: str, dynamic: bool, args: argparse.Namespace, extra: tuple[str, ...] = ()) -> dict[str, float]:
    port = free_port()
    started = time.perf_counter()
    proc = start(kind, EXAMPLE, dynamic, port, extra)
    try:
        first = wait_first_answer(port, GET_PATH, started, proc)
        load(port, GET_PATH, 1, args.connections, False)  # warm-up (JIT, caches)
        get_rps, get_p99, get_bad = load(port, GET_PATH, args.duration, args.connections, False)
        post_rps, post_p99, post_bad = load(port, POST_PATH, args.duration, args.connections, True)
        rss = rss_tree_kb(proc.pid) / 1024
    finally:
        stop(proc)
    return {"first": first, "get": get_rps, "get_p99": get_p99, "post": post_rps, "post_p99": post_p99,
            "rss": rss, "bad": get_bad + post_bad}


def first_answer(kind: str, spec: Path, path: str, cold: bool = False) -> float:
    """Seconds from process start to the first HTTP answer; ``cold`` bypasses the spec cache."""
    port = free_port()
    if cold:
        os.environ["TOOLCHECK_NO_CACHE"] = "1"
    started = time.perf_counter()
    try:
        proc = start(kind, spec, False, port)
    finally:
        os.environ.pop("TOOLCHECK_NO_CACHE", None)
    try:
        return wait_first_answer(port, path, started, proc, limit=120)
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-stripe", action="store_true", help="skip the time-to-first-answer on Stripe's spec")
    args = parser.parse_args()
    prism_bin()
    ensure_wrk()
    print(f"load generator: {'wrk' if shutil.which('wrk') else 'python asyncio'}, {args.connections} connections, "
          f"{args.duration:.0f}s per run; spec {EXAMPLE.name}; GET {GET_PATH}, POST {POST_PATH}")
    results: dict[str, dict[str, float]] = {}
    runs = [("prism static", "prism", False, ()), ("prism dynamic", "prism", True, ()),
            ("toolcheck static", "toolcheck", False, ()), ("toolcheck dynamic", "toolcheck", True, ()),
            # The answer memo makes repeated identical requests cheap; these rows show the full path.
            ("tc static nocache", "toolcheck", False, ("--no-cache",)),
            ("tc dynamic nocache", "toolcheck", True, ("--no-cache",))]
    for name, kind, dynamic, extra in runs:
        results[name] = bench(kind, dynamic, args, extra)
        r = results[name]
        print(f"{name:18} GET {r['get']:8.0f} req/s p99 {r['get_p99']:6.1f} ms | POST {r['post']:8.0f} req/s "
              f"p99 {r['post_p99']:6.1f} ms | RSS {r['rss']:6.0f} MB | first answer {r['first']:.2f}s"
              f"{' | non-2xx ' + str(int(r['bad'])) if r['bad'] else ''}", flush=True)
    base = results["prism static"]
    print("\nratios against Prism static mode (the issue's target: >= 2x req/s):")
    for name in ("toolcheck static", "toolcheck dynamic", "tc static nocache", "tc dynamic nocache"):
        r = results[name]
        print(f"{name:18} GET {r['get'] / base['get']:.2f}x  POST {r['post'] / base['post']:.2f}x  "
              f"p99 GET {r['get_p99'] / base['get_p99']:.2f}x  RSS {r['rss'] / base['rss']:.2f}x")
    ours = [results["toolcheck static"], results["toolcheck dynamic"]]
    verdicts = {
        ">=2x Prism static req/s (GET and POST, static and dynamic)": all(
            r["get"] >= 2 * base["get"] and r["post"] >= 2 * base["post"] for r in ours),
        "p99 lower than Prism static": all(r["get_p99"] < base["get_p99"] and r["post_p99"] < base["post_p99"] for r in ours),
        "RSS lower than Prism": all(r["rss"] < base["rss"] for r in ours),
        "first answer within 1 s (examples spec)": all(r["first"] <= 1.0 for r in ours),
    }
    print("\ntargets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in verdicts.items()))
    if not args.skip_stripe and STRIPE.exists():
        print("\ntime to first answer on Stripe's spec (GET /v1/customers):")
        for kind, label, cold in (("prism", "prism", False), ("toolcheck", "toolcheck (cold)", True),
                                  ("toolcheck", "toolcheck (warm)", False)):
            try:
                print(f"{label:18} {first_answer(kind, STRIPE, '/v1/customers', cold=cold):.2f}s", flush=True)
            except RuntimeError as exc:
                print(f"{label:18} failed: {exc}")


if __name__ == "__main__":
    main()
