"""Schemathesis against `toolcheck mock`: which failures are the mock's own, which the spec's.

    python benchmarks/mock_conformance.py [SPEC ...] [--max-examples 10] [--max-time 300]

Installs Schemathesis into a venv outside the repo (``--peers``, default /work/peers/schemathesis,
or $TOOLCHECK_PEERS_SCHEMATHESIS), serves each spec with ``toolcheck mock --stateful`` on
127.0.0.1 with a known token, runs ``st run --checks all`` with that token (so ``ignored_auth``
has something to check), reads its NDJSON events and sorts every failing check into:

- **spec**: the spec makes a conforming answer impossible: an unsatisfiable response schema
  (the mock answers 500 "... cannot be satisfied"), or an invalid request for which the
  operation documents no error status at all (the mock answers the protocol's own 4xx; it picks
  a documented one whenever one fits);
- **disputed**: the mock follows a rule of OpenAPI that the checker does not, or the wire
  format cannot tell the two apart (each has its reason printed): ``allowEmptyValue`` false by
  default (OpenAPI 3.0.3 §4.7.12.1); a form (``application/x-www-form-urlencoded``) carries
  ``photoUrls=AAA`` for a one-item array and for a string alike;
- **mock**: everything else. The target is zero.

Nothing is asserted: this is a measuring tool. Without specs on the command line it runs a
default set from ../shared/specs (Kubernetes first when the corpus has it).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
PEERS = Path(os.environ.get("TOOLCHECK_PEERS_SCHEMATHESIS", "/work/peers/schemathesis"))
TOKEN = "tok_conformance_0123456789"
DEFAULT = ["kubernetes", "swagger-petstore-v3-3.0.yaml", "edge/readme-train-travel-3.1.yaml",
           "oai-petstore-expanded-3.0.yaml", "apisguru/circleci.com-v1.yaml", "spotify-official.yml"]


def st_bin(peers: Path) -> Path:
    target = peers / "bin" / "st"
    if not target.exists():
        print(f"installing schemathesis into {peers} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(peers)], check=True)
        subprocess.run([str(peers / "bin" / "pip"), "install", "-q", "schemathesis"], check=True)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def auth_headers(spec_path: Path) -> list[str]:
    """``-H`` values carrying TOKEN for the spec's header-borne security schemes."""
    sys.path.insert(0, str(ROOT / "src"))
    from toolcheck.spec import load_spec

    spec = load_spec(str(spec_path))
    headers: dict[str, str] = {}
    for scheme in spec.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            headers.setdefault(scheme.param_name, TOKEN)
        elif scheme.type == "http" and scheme.scheme.lower() == "basic":
            headers.setdefault("Authorization", "Basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode())
        elif scheme.type in ("http", "oauth2", "openIdConnect"):
            headers.setdefault("Authorization", f"Bearer {TOKEN}")
    return [f"{name}: {value}" for name, value in headers.items()]


def classify(check: dict[str, Any]) -> tuple[str, str]:
    """``(kind, reason)`` for one failing check (see the module docstring)."""
    response = check.get("response") or {}
    body = _text(response)
    status = response.get("status_code")
    if status == 500 and "cannot be satisfied" in body:
        return "spec", "unsatisfiable response schema (the mock says so with a 500)"
    if check.get("name") == "status_code_conformance" and isinstance(status, int) and 400 <= status < 500:
        # The mock answers a rejection with a documented status that fits whenever there is one
        # (mock/_errors.py error_status); reaching here, the spec documents none for it.
        return "spec", "the spec documents no status for rejecting this request"
    name = check.get("name")
    if name == "positive_data_acceptance" and "allowEmptyValue" in body:
        return "disputed", "OpenAPI: allowEmptyValue defaults to false, `?name=` is refused"
    request = check.get("request") or {}
    sent_type = " ".join(v for k, vs in (request.get("headers") or {}).items() if k.lower() == "content-type"
                         for v in (vs if isinstance(vs, list) else [vs]))
    if "x-www-form-urlencoded" in sent_type:
        # A form carries flat strings: `photoUrls=AAA` is a one-item array and a string alike, and
        # objects inside arrays reach the wire as their keys (`tags=name&tags=id`).
        if name == "negative_data_rejection" and "Incorrect type" in str(check.get("message")):
            return "disputed", "form encoding: a one-item array and a string are the same pairs"
        if name == "positive_data_acceptance" and "is not of type 'object'" in body:
            return "disputed", "form encoding: the checker sends objects inside arrays as their keys"
    return "mock", ""


def _text(response: dict[str, Any]) -> str:
    content = response.get("content", response.get("body"))
    if isinstance(content, dict) and isinstance(content.get("$base64"), str):
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return content if isinstance(content, str) else json.dumps(content) if content else ""


def failing_checks(ndjson: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        label = recorder.get("label", "")
        interactions = recorder.get("interactions") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = check.get("failure_info") or {}
                found = failure.get("failure") or {}
                response = (interactions.get(case_id) or {}).get("response") or {}
                request = (interactions.get(case_id) or {}).get("request") or {}
                key = (label, check.get("name", ""), str(found.get("title", "")) + str(found.get("message", ""))[:80])
                if key in seen:
                    continue
                seen.add(key)
                out.append({"operation": label, "name": check.get("name"), "title": found.get("title", ""),
                            "message": found.get("message", ""), "response": response,
                            "request": request})
    return out


def run_one(spec_path: Path, st: Path, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = free_port()
    tokens = [TOKEN, base64.b64encode(f"user:{TOKEN}".encode()).decode()]
    cmd = [sys.executable, "-m", "toolcheck", "mock", str(spec_path), "--host", "127.0.0.1", "--port", str(port),
           "--stateful", "-q"] + [arg for token in tokens for arg in ("--token", token)]
    log = open(workdir / f"mock-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    try:
        if not wait_for(port, proc):
            return {"spec": spec_path.name, "error": "the mock did not start (see " + log.name + ")"}
        ndjson = workdir / f"{spec_path.stem}.ndjson"
        st_cmd = [str(st), "run", str(spec_path), "--url", f"http://127.0.0.1:{port}", "--checks", "all",
                  "--seed", str(args.seed), "--generation-database", "none", "--max-examples", str(args.max_examples),
                  "--continue-on-failure", "--max-time", str(args.max_time), "--request-timeout", "20",
                  "--report", "ndjson", "--report-ndjson-path", str(ndjson), "--no-color"]
        for header in auth_headers(spec_path):
            st_cmd += ["-H", header]
        started = time.monotonic()
        completed = subprocess.run(st_cmd, capture_output=True, text=True, cwd=workdir, timeout=args.max_time + 600)
        elapsed = time.monotonic() - started
        (workdir / f"{spec_path.stem}.st.txt").write_text(completed.stdout + completed.stderr)
        if not ndjson.exists():
            return {"spec": spec_path.name, "error": "schemathesis wrote no events: " + completed.stderr[-300:]}
        failures = failing_checks(ndjson)
        cases = sum(1 for line in ndjson.read_text().splitlines() if '"ScenarioFinished"' in line)
        return {"spec": spec_path.name, "failures": failures, "seconds": elapsed, "scenarios": cases,
                "alive": proc.poll() is None}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def resolve(names: list[str]) -> list[Path]:
    out: list[Path] = []
    for name in names:
        path = Path(name)
        if not path.exists():
            path = SPECS / name
        if not path.exists():
            matches = sorted(p for p in SPECS.rglob(f"*{name}*") if p.suffix in (".json", ".yaml", ".yml")
                             and len(p.relative_to(SPECS).parts) <= 2)  # whole specs, not their parts
            if not matches:
                print(f"skipped: no corpus spec matches {name!r}")
                continue
            path = matches[0]
        out.append(path)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", help="spec files or corpus names (default: a set from ../shared/specs)")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--max-time", type=int, default=300, help="seconds of Schemathesis per spec")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", type=Path, default=PEERS)
    parser.add_argument("--show", type=int, default=5, help="mock's own failures to print per spec")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the request and answer of each")
    args = parser.parse_args()
    st = st_bin(args.peers)
    specs = resolve(args.specs or DEFAULT)
    with tempfile.TemporaryDirectory(prefix="mock-conformance-") as tmp:
        rows = []
        for spec_path in specs:
            print(f"--- {spec_path.relative_to(SPECS) if SPECS in spec_path.parents else spec_path}", flush=True)
            result = run_one(spec_path, st, args, Path(tmp))
            if "error" in result:
                print(f"    could not test: {result['error']}")
                rows.append((result["spec"], None, None, None, 0.0))
                continue
            kinds: Counter[str] = Counter()
            for failure in result["failures"]:
                kind, reason = classify(failure)
                failure["kind"], failure["reason"] = kind, reason
                kinds[kind] += 1
            for failure in [f for f in result["failures"] if f["kind"] == "mock"][: args.show]:
                status = (failure["response"] or {}).get("status_code")
                print(f"    mock: {failure['operation']} {failure['name']}: {failure['title']} "
                      f"[{status}] {str(failure['message'])[:160]!r}")
                if args.verbose:
                    request = failure["request"] or {}
                    print(f"          {request.get('method')} {request.get('uri')} {_text(request)[:300]!r}")
                    print(f"          -> {_text(failure['response'] or {})[:300]!r}")
            for (kind, reason), count in Counter((f["kind"], f["reason"]) for f in result["failures"]
                                                 if f["kind"] != "mock").items():
                print(f"    {kind}: {count} x {reason}")
            if not result["alive"]:
                print("    the mock died during the run")
            rows.append((result["spec"], kinds["mock"], kinds["spec"], kinds["disputed"], result["seconds"]))
    print()
    print(f"{'spec':48} {'mock':>5} {'spec':>5} {'disputed':>8} {'seconds':>8}")
    for name, mock, spec_count, disputed, seconds in rows:
        if mock is None:
            print(f"{name:48} {'could not test':>28}")
        else:
            print(f"{name:48} {mock:>5} {spec_count:>5} {disputed:>8} {seconds:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
