"""`toolcheck run` speed vs Redocly Respect and Step CI (issue 4).

200 sequential GET steps against one local keep-alive server (TCP_NODELAY set: without it
Python's http.server stalls ~40 ms per keep-alive request), each with a status and a body
assertion; toolcheck and Respect also check every response against the spec (status, content
type, body schema). Wall time includes process start-up. Peers are installed from npm into
~/.cache/toolcheck-bench/run-peers (never into the repo); toolcheck's modules are byte-compiled
first, as `pip install` does (see compile_toolcheck). Run:

    python benchmarks/run_vs_peers.py [--steps 200] [--runs 3] [--no-peers] [--baseline DIR]

``--baseline DIR`` also times the toolcheck of another source tree (DIR holds its ``toolcheck``
package, e.g. ``git archive REV src | tar -x -C /tmp/base`` then ``/tmp/base/src``) in the same
rounds, so a change is compared side by side under the same load.

Targets (issue 4): toolcheck's wall time ≤ half of Respect's on the same steps; start-up
(a one-step scenario, wall) < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(os.environ.get("TOOLCHECK_BENCH_DIR", Path.home() / ".cache" / "toolcheck-bench")) / "run-peers"
NPM_PACKAGES = ["@redocly/cli", "stepci"]


class Items(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        item = self.path.rsplit("/", 1)[-1]
        body = json.dumps({"id": int(item) if item.isdigit() else 0, "name": f"item-{item}", "price": 9.5}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SPEC = """openapi: 3.1.0
info: {{title: Items, version: '1'}}
servers: [{{url: '{base}'}}]
paths:
  /items/{{id}}:
    get:
      operationId: getItem
      parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]
      responses:
        '200':
          description: an item
          content:
            application/json:
              schema:
                type: object
                required: [id, name, price]
                properties:
                  id: {{type: integer}}
                  name: {{type: string}}
                  price: {{type: number}}
"""


def write_inputs(work: Path, base: str, steps: int) -> dict[str, Path]:
    (work / "openapi.yaml").write_text(SPEC.format(base=base))
    scenario = ["name: bench", "spec: openapi.yaml", "steps:"]
    arazzo = ["arazzo: 1.0.1", "info: {title: bench, version: '1'}",
              "sourceDescriptions: [{name: items, url: ./openapi.yaml, type: openapi}]",
              "workflows:", "  - workflowId: bench", "    steps:"]
    stepci = ["version: '1.1'", "name: bench", "tests:", "  bench:", "    steps:"]
    for i in range(1, steps + 1):
        scenario += [f"  - id: s{i}", "    operation: getItem", f"    params: {{id: {i}}}",
                     f"    expect: {{status: 200, body: [{{path: $.name, eq: item-{i}}}]}}"]
        arazzo += [f"      - stepId: s{i}", "        operationId: getItem",
                   f"        parameters: [{{name: id, in: path, value: {i}}}]",
                   "        successCriteria:", "          - condition: $statusCode == 200",
                   f"          - condition: $response.body#/name == 'item-{i}'"]
        stepci += [f"      - name: s{i}", "        http:", f"          url: {base}/items/{i}", "          method: GET",
                   "          check:", "            status: 200", "            jsonpath:", f"              $.name: item-{i}"]
    one = ["name: one", "spec: openapi.yaml", "steps:", "  - id: s1", "    operation: getItem", "    params: {id: 1}"]
    files = {"scenario": work / "bench.toolcheck.yaml", "arazzo": work / "bench.arazzo.yaml",
             "stepci": work / "stepci.yml", "one": work / "one.toolcheck.yaml"}
    for key, lines in (("scenario", scenario), ("arazzo", arazzo), ("stepci", stepci), ("one", one)):
        files[key].write_text("\n".join(lines) + "\n")
    return files


def install_peers() -> dict[str, Path]:
    bins = {"respect": BENCH / "node_modules" / ".bin" / "redocly", "stepci": BENCH / "node_modules" / ".bin" / "stepci"}
    if all(p.exists() for p in bins.values()):
        return bins
    if shutil.which("npm") is None:
        print("npm not found: peers skipped")
        return {}
    BENCH.mkdir(parents=True, exist_ok=True)
    if not (BENCH / "package.json").exists():
        (BENCH / "package.json").write_text('{"name": "toolcheck-run-peers", "private": true}\n')
    print(f"installing {', '.join(NPM_PACKAGES)} into {BENCH} ...")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", *NPM_PACKAGES], cwd=BENCH, check=False,
                   stdout=subprocess.DEVNULL, env={**os.environ, "STEPCI_DISABLE_ANALYTICS": "1"})
    return {k: p for k, p in bins.items() if p.exists()}


def compile_toolcheck(extra: Path | None = None) -> None:
    """Byte-compile toolcheck's modules as `pip install` does for an installed copy.

    With PYTHONDONTWRITEBYTECODE set (some CI and developer shells) an editable install never
    writes its .pyc files, so every toolcheck module changed since the last write would be
    compiled from source at each start-up: a cost no installed toolcheck pays (its
    dependencies' .pyc files were written by pip). Compiling here measures the installed tool."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("toolcheck")
    for directory in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(directory, quiet=1)
    if extra is not None:
        compileall.compile_dir(str(extra / "toolcheck"), quiet=1)


ENV = {**os.environ, "NO_COLOR": "1", "STEPCI_DISABLE_ANALYTICS": "1", "REDOCLY_TELEMETRY": "off",
       "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


def once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system of the process and its children) and exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or ENV,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def min_of(rows: list[tuple[str, float, float, float, int]], label: str) -> float:
    return next(low for name, _median, low, _cpu, _code in rows if name == label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a source tree (holding a toolcheck package) to time in the same rounds")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Items)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    toolcheck = str(Path(sys.executable).with_name("toolcheck"))
    if not Path(toolcheck).exists():
        toolcheck_cmd = [sys.executable, "-m", "toolcheck"]
    else:
        toolcheck_cmd = [toolcheck]
    rows: list[tuple[str, float, float, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="toolcheck-bench-") as tmp:
        work = Path(tmp)
        files = write_inputs(work, base, args.steps)
        common = ["--no-reports", "-q"]
        commands = {
            "toolcheck run (scenario, contract checks)": [*toolcheck_cmd, "run", str(files["scenario"]), *common],
            "toolcheck run (Arazzo, contract checks)": [*toolcheck_cmd, "run", str(files["arazzo"]), *common],
            "toolcheck run with reports (html+junit+json)": [*toolcheck_cmd, "run", str(files["scenario"]), "-q",
                                                              "--reports", str(work / "reports")],
            "toolcheck start-up (1-step scenario)": [*toolcheck_cmd, "run", str(files["one"]), *common],
        }
        envs: dict[str, dict[str, str]] = {}
        if args.baseline is not None:
            baseline = args.baseline.resolve()
            for label in ("toolcheck run (Arazzo, contract checks)", "toolcheck start-up (1-step scenario)"):
                envs[f"{label} [baseline]"] = {**ENV, "PYTHONPATH": str(baseline)}
                commands[f"{label} [baseline]"] = commands[label]
        peers = {} if args.no_peers else install_peers()
        compile_toolcheck(args.baseline.resolve() if args.baseline is not None else None)
        if "respect" in peers:
            commands["Redocly Respect (Arazzo, schema checks)"] = [str(peers["respect"]), "respect", str(files["arazzo"])]
        if "stepci" in peers:
            commands["Step CI (status + jsonpath)"] = [str(peers["stepci"]), "run", str(files["stepci"])]
        for label, cmd in commands.items():
            once(cmd, work, envs.get(label))  # warm the disk cache and toolcheck's spec cache
        # Rounds interleave the tools, so a burst of load on a shared machine hits all alike.
        walls: dict[str, list[float]] = {label: [] for label in commands}
        cpus: dict[str, list[float]] = {label: [] for label in commands}
        codes: dict[str, int] = {}
        for _ in range(args.runs):
            for label, cmd in commands.items():
                wall, cpu, codes[label] = once(cmd, work, envs.get(label))
                walls[label].append(wall)
                cpus[label].append(cpu)
        for label, values in walls.items():
            rows.append((label, statistics.median(values), min(values), statistics.median(cpus[label]), codes[label]))
    server.shutdown()
    print(f"\n{args.steps} sequential steps on loopback, median of {args.runs} (wall, incl. start-up)")
    print("(cpu = user + system seconds of the process tree: steadier than wall on a shared machine)")
    print(f"{'tool':52} {'wall':>8} {'min':>8} {'cpu':>8}  exit")
    for label, median, low, cpu, code in rows:
        print(f"{label:52} {median:8.3f} {low:8.3f} {cpu:8.3f}  {code}")
    by = {label: median for label, median, *_ in rows}
    by_cpu = {label: cpu for label, _m, _l, cpu, _c in rows}
    ours = by["toolcheck run (Arazzo, contract checks)"]
    respect = by.get("Redocly Respect (Arazzo, schema checks)")
    if respect:
        label = "Redocly Respect (Arazzo, schema checks)"
        ours_cpu = by_cpu["toolcheck run (Arazzo, contract checks)"]
        print(f"\ntoolcheck / Respect on the same Arazzo steps: wall {ours / respect:.2f}, "
              f"min wall {min_of(rows, 'toolcheck run (Arazzo, contract checks)') / min_of(rows, label):.2f}, "
              f"cpu {ours_cpu / by_cpu[label]:.2f} (target ≤ 0.50)")
        base = "toolcheck run (Arazzo, contract checks) [baseline]"
        if base in by:
            print(f"baseline / Respect: wall {by[base] / respect:.2f}, min wall {min_of(rows, base) / min_of(rows, label):.2f}, "
                  f"cpu {by_cpu[base] / by_cpu[label]:.2f}")
    stepci = by.get("Step CI (status + jsonpath)")
    if stepci:
        print(f"toolcheck (scenario) / Step CI: {by['toolcheck run (scenario, contract checks)'] / stepci:.2f}")
    print(f"start-up: {by['toolcheck start-up (1-step scenario)']:.3f} s (target < 0.5 s)")
    if "toolcheck start-up (1-step scenario) [baseline]" in by:
        print(f"baseline start-up: {by['toolcheck start-up (1-step scenario) [baseline]']:.3f} s")


if __name__ == "__main__":
    main()
