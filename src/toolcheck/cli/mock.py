"""`toolcheck mock SPEC`: serve a mock of the spec (or a validation proxy) on uvicorn.

The request log is written by a buffered writer that flushes a few times a second, so logging
every request costs little throughput (it is what Prism users leave on by default).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import ALLOW_NETWORK, REF_ROOT, handle_errors, ref_roots, renamed
from toolcheck.errors import UsageError

_ENV = "TOOLCHECK_MOCK_CONFIG"


class LogWriter:
    """The request log, off the hot path: a request only appends its record to a list; a
    background thread formats and writes a few times a second. A slow terminal or pipe never
    stalls an answer (past a large backlog, lines are counted and dropped instead)."""

    MAX_BACKLOG = 200_000

    def __init__(self, stream: Any = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.pending: list[tuple[float, Any]] = []
        self.dropped = 0
        self.lock = threading.Lock()
        self.interval = interval
        self._second = -1
        self._stamp = ""
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()

    def __call__(self, record: Any) -> None:
        with self.lock:
            if len(self.pending) < self.MAX_BACKLOG:
                self.pending.append((time.time(), record))
            else:
                self.dropped += 1

    def event(self, message: str) -> None:
        with self.lock:
            self.pending.append((time.time(), message))

    def format(self, when: float, record: Any) -> str:
        second = int(when)
        if second != self._second:  # one strftime per second, not per line
            self._second, self._stamp = second, time.strftime("%H:%M:%S", time.localtime(when))
        stamp = self._stamp
        if isinstance(record, str):
            return f"{stamp} {record}\n"
        extra = f"  {record.issues} violation(s)" if record.issues else ""
        if record.fault:
            extra += f"  fault={record.fault}"
        operation = f" {record.operation}" if record.operation else ""
        return (f"{stamp} {record.method:6} {record.path[:120]} → {record.status} "
                f"{record.elapsed_ms:.1f}ms {record.source}{operation}{extra}\n")

    def flush(self) -> None:
        with self.lock:
            items, self.pending = self.pending, []
            dropped, self.dropped = self.dropped, 0
        for start in range(0, len(items), 256):
            # Small batches, yielding between them: the serving thread never waits long for the GIL.
            chunk = "".join(self.format(when, record) for when, record in items[start:start + 256])
            self._write(chunk)
            time.sleep(0)
        if dropped:
            self._write(f"... {dropped} log line(s) dropped (the log could not keep up)\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _loop(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


def _build(config: dict[str, Any]) -> Any:
    from toolcheck.mock.faults import FaultConfig
    from toolcheck.mock.responder import Mock
    from toolcheck.spec import load_spec

    spec = load_spec(config["spec"], allow_network=config.get("allow_network", False),
                     ref_roots=ref_roots(config.get("ref_roots") or []))
    faults = FaultConfig.parse(config["faults"]) if config.get("faults") else None
    return Mock(spec, seed=config["seed"], dynamic=config["dynamic"], stateful=config["stateful"],
                validate=config["validate"], faults=faults, tokens=config.get("tokens") or None,
                cache=config.get("cache", True), strict_scopes=config.get("strict_scopes", False))


def _app(config: dict[str, Any], mock: Any = None, log: LogWriter | None = None) -> Any:
    from toolcheck.mock.server import MockApp, MockHolder

    mock = mock if mock is not None else _build(config)
    holder = MockHolder(mock, build=lambda: _build(config), files=tuple(mock.spec.files))
    handler = None
    if config.get("proxy"):
        from toolcheck.mock.proxy import ValidationProxy

        handler = ValidationProxy(mock.spec, config["proxy"], current=lambda: holder.mock.spec)
    on_request = log if log is not None and not config.get("quiet") else None
    return MockApp(holder, on_request=on_request, on_event=log.event if log else None,
                   watch=1.0 if config.get("watch", True) else 0.0, handler=handler), handler


def worker_app() -> Any:
    """uvicorn factory for ``--workers N``: each worker rebuilds the mock from the environment."""
    config = json.loads(os.environ[_ENV])
    log = LogWriter()
    built, _ = _app(config, log=log)
    import gc

    gc.collect()
    gc.freeze()
    return built


@app.command()
def mock(
    spec: str = typer.Argument(..., help="Spec file, directory, '-' is not supported here, git:REV:path, or URL."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(4010, "--port", "-p", help="Port to listen on (0: any free port)."),
    seed: int = typer.Option(0, "--seed", help="Seed for generated bodies and faults (printed at start)."),
    dynamic: bool = typer.Option(False, "--dynamic", "-d", help="Always generate bodies (ignore the spec's examples)."),
    stateful: bool = typer.Option(False, "--stateful", help="Keep created resources: POST then GET, PATCH, DELETE then 404, jobs advance."),
    faults: str = typer.Option("", "--faults", help="Fault injection, e.g. latency=50ms,error_rate=0.1,timeout_rate=0.01,truncate_rate=0.05."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (state is per worker)."),
    proxy: str = typer.Option("", "--proxy", help="Forward to this backend URL and validate both directions instead of mocking."),
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Validate requests (400/401/415/422 answers)."),
    token: list[str] = typer.Option([], "--token", help="Accept only this credential (bearer token, API key, user:password; "
                                    "repeatable); VALUE=SCOPE,SCOPE gives the scopes it holds."),
    strict_scopes: bool = typer.Option(False, "--strict-scopes", help="A credential that names no scopes holds none "
                                       "(default: a token without a scope claim holds every scope)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No request log."),
    watch: bool = typer.Option(True, "--watch/--no-watch", help="Reload when the spec file changes."),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Memoise answers to identical stateless requests (they are deterministic)."),
    report: str = typer.Option("", "--reports", help="With --proxy: write reports (html, junit, json) to this directory on exit."),
    old_report: str | None = typer.Option(None, "--report", hidden=True, help="Deprecated: --reports."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Serve a mock of SPEC: validated requests, valid realistic answers, state and faults.

    Prism-compatible `Prefer` header: `code=404`, `example=name`, `dynamic=true`, plus
    `fault=error|503|timeout|truncate|invalid_json|latency:200ms`.
    Exit codes: 0 stopped cleanly · 2 bad spec or options · 3 cannot listen.
    """
    from toolcheck.cli._console import err_console

    if renamed(old_report, "mock --report", "--reports"):
        report = str(old_report)

    config = {"spec": spec, "seed": seed, "dynamic": dynamic, "stateful": stateful, "faults": faults,
              "validate": validate, "tokens": list(token), "strict_scopes": strict_scopes, "quiet": quiet, "watch": watch,
              "proxy": proxy, "allow_network": allow_network, "cache": cache, "ref_roots": list(ref_root)}
    err = err_console()
    with handle_errors():
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        if spec == "-":
            raise UsageError("the mock reads its spec from a file (it reloads it on change); '-' is not supported")
        if proxy and not proxy.startswith(("http://", "https://")):
            raise UsageError(f"--proxy needs an http(s) URL, got {proxy!r}")
        if report and not proxy:
            raise UsageError("--reports is for --proxy (a mock has nothing to report)")
        built = _build(config)
    problems = built.examples.check_all()
    mode = "proxy → " + proxy if proxy else ("dynamic" if dynamic else "static (examples first)")
    from rich.markup import escape

    err.print(f"[bold]toolcheck mock[/] {escape(built.spec.title or built.spec.source)} — {len(built.spec.operations)} operations, "
              f"{mode}, seed {seed}{', stateful' if stateful else ''}, validation {'on' if validate else 'off'}"
              f"{', faults ' + faults if faults else ''}", highlight=False, markup=True, soft_wrap=True)
    if not proxy and len(built.spec.operations) <= 40:
        for op in built.spec.operations:
            err.print(f"  {op.method.upper():7} {escape(op.path)}  [dim]{escape(op.operation_id)}[/]",
                      highlight=False, markup=True)
    for problem in problems[:20]:
        err.print(f"[yellow]warning[/] {escape(problem)}", highlight=False, markup=True, soft_wrap=True)
    if len(problems) > 20:
        err.print(f"... and {len(problems) - 20} more example problems", highlight=False)
    log = LogWriter()
    # The spec and compiled mock live for the whole run: keep the cyclic GC from re-scanning
    # them (on a Stripe-sized spec a full collection otherwise stalls answers for tens of ms).
    import gc

    gc.collect()
    gc.freeze()
    if workers > 1:
        _serve_workers(config, host, port, workers, stateful, err)
        return
    application, handler = _app(config, mock=built, log=log)
    started = time.time()
    _serve(application, host, port, err)
    log.flush()
    if handler is not None:
        stats = handler.stats
        err.print(f"proxy: {stats.requests} request(s), {stats.request_violations} request violation(s), "
                  f"{stats.response_violations} response violation(s), {stats.upstream_errors} upstream error(s)",
                  highlight=False)
        if report:
            from toolcheck.report import write_reports

            with handle_errors():
                paths = write_reports(stats.result(built.spec.title or spec, started), report, ("html", "junit", "json"))
            err.print("reports: " + ", ".join(str(p) for p in paths.values()), highlight=False)
        if stats.request_violations or stats.response_violations:
            raise typer.Exit(1)


def _serve(application: Any, host: str, port: int, err: Any) -> None:
    import socket

    import uvicorn

    from toolcheck.mock.server import uvicorn_config

    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        from toolcheck.errors import TargetError

        with handle_errors():
            raise TargetError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    actual = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(application, host, actual))
    err.print(f"listening on http://{host}:{actual} (Ctrl-C to stop)", highlight=False)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the signal after a graceful shutdown
        pass


def _serve_workers(config: dict[str, Any], host: str, port: int, workers: int, stateful: bool, err: Any) -> None:
    import importlib.util

    import uvicorn

    from toolcheck.mock.server import LIMITED_HTTPTOOLS, MAX_HEAD

    if stateful:
        err.print("[yellow]warning[/] --stateful with --workers: each worker keeps its own resources", markup=True)
    os.environ[_ENV] = json.dumps(config)
    err.print(f"listening on http://{host}:{port} with {workers} workers (Ctrl-C to stop)", highlight=False)
    fast = importlib.util.find_spec("uvloop") is not None and importlib.util.find_spec("httptools") is not None
    uvicorn.run("toolcheck.cli.mock:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, server_header=False, date_header=False,
                loop="uvloop" if fast else "asyncio", http=LIMITED_HTTPTOOLS if fast else "h11",
                h11_max_incomplete_event_size=MAX_HEAD)
