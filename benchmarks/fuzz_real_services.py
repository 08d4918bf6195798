"""toolcheck fuzz vs Schemathesis on real services installed from PyPI (issue 13 item 6).

    python benchmarks/fuzz_real_services.py [--services jupyter,prefect] [--budget 60]
                                            [--peers /work/peers] [--skip-install] [--keep DIR]

Installs jupyter_server, Prefect (sqlite) and Schemathesis into venvs under ``--peers`` (outside
the repo), starts each service on 127.0.0.1 with a fresh state (new home, root directory and
database) for every tool run, and runs toolcheck and Schemathesis twice each: with their
default settings, and with a ``--max-time`` budget. Per run it prints the operations covered,
the distinct findings, the CPU seconds the tool itself used (not the service), and the findings
matched against the triaged list ``benchmarks/fuzz_real_services_triage.json`` (true bug / spec
mismatch / false positive, with the reasoning per entry). Findings no entry matches are printed
as "untriaged" so the list can grow. CPU figures come from ``getrusage(RUSAGE_CHILDREN)`` around
the tool's process; on a shared machine compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = Path(__file__).with_name("fuzz_real_services_triage.json")
TOKEN = "bench-token-7f3a9c"  # jupyter's token for the run (loopback only)


@dataclass
class Found:
    """One distinct finding of one tool, in a tool-neutral shape."""

    method: str
    path: str  # the spec's path template
    kind: str  # server_error, response_schema, undocumented_status, negative_accepted, ...
    status: int
    body: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.kind} {self.status}"


@dataclass
class Run:
    tool: str
    mode: str
    operations_total: int = 0
    operations_covered: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    found: list[Found] = field(default_factory=list)
    note: str = ""


# --- installation -----------------------------------------------------------------------------
def venv(peers: Path, name: str, packages: list[str], skip: bool) -> Path:
    home = peers / name
    python = home / "bin" / "python"
    if not skip and not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
    module = packages[0].replace("-", "_")
    # an interrupted install leaves a venv without the package: install (again) when it does not import
    if not skip and subprocess.run([str(python), "-c", f"import {module}"], capture_output=True).returncode:
        subprocess.run([str(home / "bin" / "pip"), "install", "-q", *packages], check=True)
    if not python.exists():
        raise SystemExit(f"{python} is missing: run without --skip-install")
    return home


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, headers: dict[str, str], limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=3):
                return
        except (OSError, http.client.HTTPException):  # not up yet, or closed the connection while starting
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {limit:.0f} s")


# --- services ---------------------------------------------------------------------------------
@dataclass
class Service:
    name: str
    spec: str  # a file path, fetched fresh for services that serve their own
    base_url: str
    headers: dict[str, str]
    proc: subprocess.Popen[bytes]


@contextmanager
def jupyter(home: Path) -> Iterator[Service]:
    """jupyter_server with a token, a fresh home, runtime dir and notebook root."""
    with tempfile.TemporaryDirectory(prefix="bench-jupyter-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        port = free_port()
        env = {**os.environ, "HOME": tmp, "JUPYTER_RUNTIME_DIR": f"{tmp}/runtime", "JUPYTER_CONFIG_DIR": f"{tmp}/config",
               "JUPYTER_DATA_DIR": f"{tmp}/data"}
        proc = subprocess.Popen([str(home / "bin" / "jupyter"), "server", "--allow-root", "--ServerApp.ip=127.0.0.1",
                                 f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}",
                                 f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            headers = {"Authorization": f"token {TOKEN}"}
            url = f"http://127.0.0.1:{port}"
            wait_for(url + "/api/status", headers)
            spec = next(home.glob("lib/python3*/site-packages/jupyter_server/services/api/api.yaml"))
            yield Service("jupyter", str(spec), url, headers, proc)
        finally:
            stop(proc)


@contextmanager
def prefect(home: Path) -> Iterator[Service]:
    """Prefect's API server on a fresh sqlite database (no auth)."""
    with tempfile.TemporaryDirectory(prefix="bench-prefect-") as tmp:
        port = free_port()
        env = {**os.environ, "HOME": tmp, "PREFECT_HOME": tmp,
               "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp}/prefect.db",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
               "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
        proc = subprocess.Popen([str(home / "bin" / "prefect"), "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-ui"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}/api"
            wait_for(url + "/health", {})
            spec = Path(tmp) / "openapi.json"
            with urllib.request.urlopen(url + "/openapi.json", timeout=30) as response:
                spec.write_bytes(response.read())
            yield Service("prefect", str(spec), url, {}, proc)
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the service we started (its own process group: kernels and workers included)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


SERVICES = {"jupyter": (jupyter, ["jupyter_server"]), "prefect": (prefect, ["prefect"])}


# --- tools ------------------------------------------------------------------------------------
def cpu_of(argv: list[str], cwd: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def _kind(check: str, status: int) -> str:
    """toolcheck's check names (shared with run) as the triage list's kinds."""
    if check in ("body_schema", "body_json"):
        return "error_schema" if 400 <= status < 500 else "response_schema"
    return {"status_documented": "undocumented_status", "required_header": "response_headers",
            "header_schema": "response_headers"}.get(check, check)


def _keep_dir(keep: Path | None, service: Service, tool: str, budget: float | None) -> Path | None:
    """Where one run's raw output is kept (``--keep``), to read the requests behind a finding."""
    if keep is None:
        return None
    folder = keep / f"{service.name}-{tool}-{'max-time' if budget else 'default'}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_toolcheck(service: Service, budget: float | None, keep: Path | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="bench-tc-") as tmp:
        argv = [sys.executable, "-m", "toolcheck", "fuzz", service.spec, "--base-url", service.base_url,
                "--seed", "1", "--reports", tmp, "--report-format", "json", "-q"]
        for name, value in service.headers.items():
            argv += ["-H", f"{name}: {value}"]
        if budget:
            argv += ["--max-time", f"{budget:g}"]
        done, cpu, wall = cpu_of(argv, tmp)
        kept = _keep_dir(keep, service, "toolcheck", budget)
        if kept is not None:
            shutil.copytree(tmp, kept, dirs_exist_ok=True)
        run = Run("toolcheck", f"max-time {budget:.0f}" if budget else "default", cpu=cpu, wall=wall)
        try:
            report = json.loads((Path(tmp) / "report.json").read_text())
            findings = json.loads((Path(tmp) / "fuzz-findings.json").read_text())["findings"]
        except (OSError, ValueError):
            run.note = f"no report (exit {done.returncode}): {done.stderr[-400:]}"
            return run
    cover = report["summary"].get("coverage") or {}
    run.operations_total = int(cover.get("operations_total", report["summary"].get("operations", 0)))
    run.operations_covered = int(cover.get("operations_tested", 0))
    for f in findings:
        if f.get("severity", f.get("level")) == "warning":
            continue
        status = int(f["response"].get("status") or 0)
        # a server-wide finding (one cause of method dispatch) lists every operation it showed on
        for affected in f.get("operations") or [{"operation": f["operation"], "method": f["request"]["method"]}]:
            method, _, path = affected["operation"].partition(" ")
            if (f.get("case") or {}).get("keyword") == "method":  # a probe: the method it sent, not the operation's
                method = affected["method"]
            run.found.append(Found(method.upper(), path, _kind(f["check"], status), status,
                                   str(f["response"].get("body") or "")))
    run.note = f"exit {done.returncode}"
    return run


def run_schemathesis(home: Path, service: Service, budget: float | None, keep: Path | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="bench-st-") as tmp:
        argv = [str(home / "bin" / "st"), "run", service.spec, "--url", service.base_url, "--seed", "1",
                "--generation-database", "none", "--report", "json", "--report-dir", tmp]
        for name, value in service.headers.items():
            argv += ["-H", f"{name}: {value}"]
        if budget:
            argv += ["--max-time", str(int(budget))]  # Schemathesis takes whole seconds
        done, cpu, wall = cpu_of(argv, tmp, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "160"})
        run = Run("schemathesis", f"max-time {budget:.0f}" if budget else "default", cpu=cpu, wall=wall,
                  note=f"exit {done.returncode}")
        kept = _keep_dir(keep, service, "schemathesis", budget)
        if kept is not None:
            (kept / "stdout.txt").write_text(done.stdout)
            shutil.copytree(tmp, kept, dirs_exist_ok=True)
        reports = list(Path(tmp).glob("*.json"))
        summary = json.loads(reports[0].read_text()) if reports else {}
    operations = summary.get("operations") or {}
    run.operations_total = int(operations.get("selected") or operations.get("total") or 0)
    run.operations_covered = int(operations.get("tested") or 0)
    run.found = parse_schemathesis_text(service, done.stdout)
    return run


_ST_CODES = {"ST101": "server_error", "ST103": "undocumented_status", "ST105": "content_type",
             "ST108": "response_schema", "ST201": "negative_accepted", "ST202": "positive_rejected",
             "ST401": "auth_not_enforced", "ST301": "deleted_still_readable", "ST302": "resource_not_readable"}


def parse_schemathesis_text(service: Service, output: str) -> list[Found]:
    """Schemathesis's failure blocks (one per test case) as tool-neutral findings, one per check."""
    found: list[Found] = []
    section = ""
    for block in re.split(r"\n(?=_{3,} .+ _{3,}\n)|\n(?=\d+\. Test Case ID)", output):
        header = re.match(r"_{3,} (.+?) _{3,}", block)
        if header:
            section = header.group(1)
            continue
        if not block.lstrip()[:1].isdigit():
            continue
        status_match = re.search(r"^\[(\d{3})\]", block, re.M)
        status = int(status_match.group(1)) if status_match else 0
        body_match = re.search(r"^\s+`(.*)`\s*$", block, re.M)
        body = body_match.group(1) if body_match else ""
        curls = re.findall(r"curl -X (\w+) .*?(https?://\S+)", block)
        if section and section != "Stateful tests" and " " in section:
            method, path = section.split(" ", 1)
        elif curls:
            method, path = curls[-1][0], _template(service, curls[-1][0], curls[-1][1], "")
        else:
            continue
        for code, title in re.findall(r"^- (ST\d+) (.+)$", block, re.M):
            kind = _ST_CODES.get(code, f"{code} {title.strip()}")
            if code in ("ST105", "ST108") and 400 <= status < 500:
                kind = "error_schema"
            if code == "ST204":  # undeclared method: toolcheck's allow_header (405) or unsupported_method
                kind = "allow_header" if status == 405 else "unsupported_method"
            if code == "ST205":  # Allow does not list the path's documented methods: toolcheck's allow_header
                kind = "allow_header"
            found.append(Found(method.upper(), path, kind, status, body))
    return found


_SPEC_CACHE: dict[str, Any] = {}


def _template(service: Service, method: str, uri: str, label: str) -> str:
    """The spec's path template for a concrete request URI (Schemathesis reports concrete URLs)."""
    if label and " " in label:
        return label.split(" ", 1)[1]
    from urllib.parse import unquote, urlsplit

    from toolcheck.spec import load_spec

    spec = _SPEC_CACHE.get(service.spec)
    if spec is None:
        spec = _SPEC_CACHE[service.spec] = load_spec(service.spec)
    base = urlsplit(service.base_url).path.rstrip("/")
    path = unquote(urlsplit(uri).path)[len(base):]
    for op in spec.operations:
        if op.method.upper() != method:
            continue
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(op.path)) + "/?$"
        if re.match(pattern, path):
            return op.path
    return path


# --- triage -----------------------------------------------------------------------------------
def triage(service: str, found: Found, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    for entry in entries:
        if entry["service"] != service or entry["method"] not in ("*", found.method):
            continue
        path = entry["path"]  # exact, "*", or a regex when it starts with ^ (one cause on many paths)
        if path not in ("*", found.path) and not (path.startswith("^") and re.fullmatch(path, found.path)):
            continue
        if entry.get("kind") and entry["kind"] != found.kind:
            continue
        if entry.get("status") and int(entry["status"]) != found.status:
            continue
        if entry.get("body") and not re.search(entry["body"], found.body):
            continue
        return entry
    return None


def summarise(service: str, run: Run, entries: list[dict[str, Any]]) -> tuple[dict[str, int], set[str], list[str]]:
    """Distinct causes by verdict; ``root_causes``: true bugs counted once per entry ``group``
    (one server defect behind several endpoints' 500s, as read in the service's tracebacks)."""
    counts = {"true_bug": 0, "spec_mismatch": 0, "false_positive": 0, "untriaged": 0, "root_causes": 0}
    bugs: set[str] = set()
    untriaged: list[str] = []
    matched: set[str] = set()
    for found in run.found:
        entry = triage(service, found, entries)
        if entry is None:
            counts["untriaged"] += 1
            untriaged.append(found.label + (f" {found.body[:100]!r}" if found.body else ""))
            continue
        if entry["id"] in matched:
            continue  # two findings of one triaged cause count once
        matched.add(entry["id"])
        counts[entry["verdict"]] += 1
        if entry["verdict"] == "true_bug":
            bugs.add(entry["id"])
    counts["root_causes"] = len({next((e.get("group") or e["id"] for e in entries if e["id"] == b), b) for b in bugs})
    return counts, bugs, untriaged


def report(name: str, runs: list[Run], entries: list[dict[str, Any]]) -> None:
    print(f"\n== {name} ==")
    bugs_by: dict[tuple[str, str], set[str]] = {}
    for run in runs:
        counts, bugs, untriaged = summarise(name, run, entries)
        bugs_by[(run.tool, run.mode)] = bugs
        print(f"{run.tool:12} {run.mode:12} operations {run.operations_covered}/{run.operations_total}, "
              f"{len(run.found)} findings, distinct causes: true bugs {counts['true_bug']} "
              f"(root causes {counts['root_causes']}), spec mismatches "
              f"{counts['spec_mismatch']}, false positives {counts['false_positive']}, untriaged "
              f"{counts['untriaged']}; CPU {run.cpu:.1f} s, wall {run.wall:.1f} s [{run.note}]")
        for line in untriaged[:80]:
            print(f"    untriaged: {line}")
    for mode in dict.fromkeys(run.mode for run in runs):
        ours, theirs = bugs_by.get(("toolcheck", mode), set()), bugs_by.get(("schemathesis", mode), set())
        if ("schemathesis", mode) in bugs_by and ("toolcheck", mode) in bugs_by:
            print(f"{mode}: true bugs Schemathesis found that toolcheck missed: {sorted(theirs - ours) or 'none'}; "
                  f"toolcheck only: {sorted(ours - theirs) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", default="jupyter,prefect")
    parser.add_argument("--budget", type=float, default=60.0, help="the --max-time of the budgeted runs (s)")
    parser.add_argument("--peers", type=Path, default=Path(os.environ.get("TOOLCHECK_PEERS", "/work/peers")))
    parser.add_argument("--skip-install", action="store_true")
    parser.add_argument("--modes", default="default,budget", help="default, budget or both")
    parser.add_argument("--tools", default="toolcheck,schemathesis")
    parser.add_argument("--save", type=Path, help="write every run's findings here (JSON), to re-triage later")
    parser.add_argument("--load", type=Path, help="re-triage saved runs instead of running anything")
    parser.add_argument("--keep", type=Path, help="keep each run's raw output (reports, Schemathesis's text) here")
    args = parser.parse_args()
    entries = json.loads(TRIAGE.read_text())["entries"] if TRIAGE.exists() else []
    if args.load:
        saved = json.loads(args.load.read_text())
        for name, runs in saved.items():
            report(name, [Run(**{**r, "found": [Found(**f) for f in r["found"]]}) for r in runs], entries)
        return
    peers: Path = args.peers.resolve()
    if ROOT in peers.parents or peers == ROOT:
        raise SystemExit("--peers must be outside the repository")
    st_home = venv(peers, "schemathesis", ["schemathesis"], args.skip_install)
    all_runs: dict[str, list[dict[str, Any]]] = {}
    budgets = [None if m == "default" else args.budget for m in args.modes.split(",")]
    for name in args.services.split(","):
        starter, packages = SERVICES[name]
        home = venv(peers, name, packages, args.skip_install)
        runs: list[Run] = []
        for budget in budgets:
            for tool in args.tools.split(","):
                with starter(home) as service:  # fresh state for every tool and mode
                    runs.append(run_toolcheck(service, budget, args.keep) if tool == "toolcheck"
                                else run_schemathesis(st_home, service, budget, args.keep))
        all_runs[name] = [asdict(r) for r in runs]
        if args.save:
            args.save.write_text(json.dumps(all_runs, indent=1))
        report(name, runs, entries)
    shutil.rmtree(ROOT / ".hypothesis", ignore_errors=True)


if __name__ == "__main__":
    main()
