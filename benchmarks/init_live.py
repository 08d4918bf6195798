"""`toolcheck init` → `toolcheck run` against live services (issue 17): jupyter_server and Prefect.

A fresh server (empty root directory, token auth) on 127.0.0.1, installed from PyPI into a venv
outside the repository; its own OpenAPI description (``jupyter_server/services/api/api.yaml``);
scenarios scaffolded by ``toolcheck init`` and run with nothing added but the credential
(``-H 'Authorization: token ...'``). Prints steps passed / failed / skipped, each failure and
skip with its reason, and which failures are known spec/server mismatches (listed below with
the evidence). Run:

    python benchmarks/init_live.py [--services jupyter,prefect] [--venv /work/peers/jupyter] [--keep DIR]

Prefect (``--services prefect``): its API on a fresh sqlite database and PREFECT_HOME, no auth,
started as ``fuzz_real_services.py`` starts it (its venv is the sibling ``prefect`` of --venv);
its spec is its own ``/api/openapi.json``. Before the issue's fixes: 40 of 203 steps passed.

Target (issue 17): every step whose failure is not a documented spec/server mismatch passes
("other 0", nothing skipped). Failures that are not the scaffold's are listed with the reasoning
per step in ``init_live_known.yaml`` beside this script. Before the issue's fixes: 10 of 35 steps
passed with the same credential (22 of 35 after hand edits to the scenarios).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

KNOWN_FILE = Path(__file__).with_name("init_live_known.yaml")  # the reasoning per step is there


def known(service: str) -> list[dict[str, str]]:
    """The documented failures of ``service`` (see init_live_known.yaml)."""
    import yaml

    data = yaml.safe_load(KNOWN_FILE.read_text()) or {}
    return list(data.get(service) or [])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_jupyter(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # ipykernel: a server with no kernel installed cannot start one, and every kernel and session
    # step would test only that (jupyter_server alone installs none)
    if subprocess.run([str(python), "-c", "import jupyter_server, ipykernel"], capture_output=True).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "jupyter_server", "ipykernel"], check=True)
    return python


def start_jupyter(python: Path, root: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(python), "-m", "jupyter_server", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         "--ServerApp.port_retries=0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url + "/api/status", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("jupyter_server did not start within 60 s")


def toolcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolcheck", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=600)


def init_and_run(spec: Path, url: str, work: Path, headers: list[str]) -> tuple[list[tuple[str, dict]], float, int]:
    """Scaffold scenarios from ``spec``, run them against ``url``: (group, case) pairs, wall, exit."""
    init = toolcheck("init", str(spec), "--out", str(work / "scenarios"), cwd=work)
    if init.returncode:
        raise SystemExit(f"init failed ({init.returncode}): {init.stderr}")
    started = time.perf_counter()
    argv = ["run", str(work / "scenarios"), "--base-url", url, "--reports", str(work / "reports"), "--report-format", "json"]
    for header in headers:
        argv += ["-H", header]
    ran = toolcheck(*argv, cwd=work)
    wall = time.perf_counter() - started
    report = json.loads((work / "reports" / "report.json").read_text())
    return [(suite["name"].split(" (")[0], case) for suite in report["suites"] for case in suite["cases"]], wall, ran.returncode


def _matches(entry: dict[str, str], step: str, reason: str) -> bool:
    """An entry names its step exactly (``step``) or by a regex (``step_pattern``: one cause on
    many steps); ``reason`` is how the failure's message starts."""
    if "step_pattern" in entry:
        return bool(re.fullmatch(entry["step_pattern"], step)) and reason.startswith(entry["reason"])
    return step == entry["step"] and reason.startswith(entry["reason"])


def print_summary(title: str, service: str, cases: list[tuple[str, dict]], wall: float, code: int) -> None:
    counts = {k: sum(1 for _, c in cases if c["status"] == k) for k in ("passed", "failed", "error", "skipped")}
    print(f"{title}: {len(cases)} steps in {wall:.1f} s (run exit {code})")
    print(f"  passed {counts['passed']}, failed {counts['failed']}, errors {counts['error']}, skipped {counts['skipped']}")
    documented = known(service)
    kinds: dict[str, int] = {}
    for group, case in cases:
        if case["status"] == "passed":
            continue
        reason = " ".join(case["message"].split())
        hit = next((k for k in documented if _matches(k, case["name"], reason)), None)
        kind = "skipped as dependent" if case["status"] == "skipped" else hit["kind"] if hit else "other"
        kinds[kind] = kinds.get(kind, 0) + 1
        print(f"  {case['status']:7} {group} › {case['name']}: {reason[:200]}"
              + (f"\n           ({hit['kind']}: {' '.join(hit['why'].split())[:160]})" if hit else ""))
    extra = "".join(f" · {k} {n}" for k, n in sorted(kinds.items())
                    if k not in ("mismatch", "finding", "other", "skipped as dependent"))
    print(f"  passed {counts['passed']} · documented mismatch {kinds.get('mismatch', 0)} · server finding "
          f"{kinds.get('finding', 0)}{extra} · other {kinds.get('other', 0)} · skipped as dependent "
          f"{kinds.get('skipped as dependent', 0)} (not passes) · of {len(cases)}")


def jupyter(args: argparse.Namespace, work: Path) -> None:
    python = ensure_jupyter(args.venv)
    spec = Path(subprocess.run([str(python), "-c", "import jupyter_server, os; print(os.path.dirname(jupyter_server.__file__))"],
                               capture_output=True, text=True, check=True).stdout.strip()) / "services" / "api" / "api.yaml"
    root = work / "root"
    root.mkdir()
    token = secrets.token_hex(16)
    server, url = start_jupyter(python, root, token)
    try:
        cases, wall, code = init_and_run(spec, url, work, [f"Authorization: token {token}"])
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    print_summary(f"jupyter_server, spec {spec.name}", "jupyter_server", cases, wall, code)


def prefect(args: argparse.Namespace, work: Path) -> None:
    """Prefect's API on a fresh sqlite database, started as ``fuzz_real_services.py`` starts it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fuzz_real_services import prefect as start_prefect
    from fuzz_real_services import venv

    with start_prefect(venv(args.venv.parent, "prefect", ["prefect"], skip=False)) as service:
        cases, wall, code = init_and_run(Path(service.spec), service.base_url, work, [])
    print_summary("Prefect (sqlite), spec /api/openapi.json", "prefect", cases, wall, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", default="jupyter,prefect")
    parser.add_argument("--venv", type=Path, default=Path(os.environ.get("TOOLCHECK_PEERS", "/work/peers")) / "jupyter",
                        help="jupyter's venv; Prefect's is its sibling 'prefect'")
    parser.add_argument("--keep", type=Path, help="keep the scenarios and reports here (one folder per service)")
    args = parser.parse_args()
    for name in args.services.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"toolcheck-init-live-{name}-"))
        try:
            {"jupyter": jupyter, "prefect": prefect}[name](args, work)
            if args.keep:
                shutil.copytree(work / "scenarios", args.keep / name / "scenarios", dirs_exist_ok=True)
                shutil.copytree(work / "reports", args.keep / name / "reports", dirs_exist_ok=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
