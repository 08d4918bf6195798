"""`toolcheck fuzz`, `toolcheck payloads` and `toolcheck replay`.

Options are parsed here; the work is in :mod:`toolcheck.fuzz` and :mod:`toolcheck.payloads`.
Credentials (``-H``, ``--bearer``, ``--basic``) may name environment variables (``$TOKEN`` or
``${TOKEN}``) so they stay out of shell history; their values are masked in every output.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import random
import re
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import REF_ROOT, SEVERITY_HELP, handle_errors, ref_roots, renamed, severity_levels
from toolcheck.errors import TargetError, UsageError
from toolcheck.findings import Severity

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
FINDINGS_FILE = "fuzz-findings.json"
MOCK_URL = "http://localhost:4010"


def _expand(value: str, option: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in os.environ:
            raise UsageError(f"{option} refers to ${name}, which is not set in the environment")
        return os.environ[name]

    return _ENV.sub(sub, value)


def build_auth(headers: list[str], bearer: str | None, basic: str | None) -> Any:
    """Credentials from the command line (values may reference environment variables)."""
    from toolcheck.fuzz import Auth
    from toolcheck.redact import is_secret_name

    out: dict[str, str] = {}
    secrets: list[str] = []
    for raw in headers:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"-H expects 'Name: value' as in curl, got {raw!r}")
        value = _expand(value.strip(), "-H")
        out[name.strip()] = value
        if is_secret_name(name.strip()) or _ENV.search(raw):
            secrets.append(value.split(" ", 1)[-1] if name.strip().lower() == "authorization" else value)
    if bearer:
        token = _expand(bearer, "--bearer")
        out["Authorization"] = f"Bearer {token}"
        secrets.append(token)
    if basic:
        pair = _expand(basic, "--basic")
        if ":" not in pair:
            raise UsageError("--basic expects user:password")
        encoded = base64.b64encode(pair.encode()).decode()
        out["Authorization"] = f"Basic {encoded}"
        secrets += [encoded, pair, pair.split(":", 1)[1]]  # an echo may carry the decoded pair too
    return Auth(headers=out, secrets=tuple(s for s in secrets if s))


def replay_credentials(headers: list[str], bearer: str | None, basic: str | None,
                       identities: list[str] | None = None, identity_scopes: list[str] | None = None) -> str:
    """This run's credential options as ``toolcheck replay`` needs them, with no secret in them.

    A printed replay without them exits 2 against an API that wants a token (issue 17). A value
    that names the environment (``$TOKEN``) is kept as written; a literal credential becomes a
    reference to an environment variable to set (``$TOOLCHECK_BEARER``), never the secret. The
    authz phase's other identities (``--identity NAME=SCHEME:VALUE``) likewise become
    ``$TOOLCHECK_IDENTITY_NAME``; their scopes are no secret and are kept.
    """
    from toolcheck.redact import is_secret_name

    out: list[str] = []
    for raw in headers:
        name, _, value = raw.partition(":")
        name, value = name.strip(), value.strip()
        secret = name.lower() in ("authorization", "proxy-authorization", "cookie") or is_secret_name(name)
        if secret and not _ENV.search(value):
            value = "$TOOLCHECK_HEADER_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
        out += ["-H", f"{name}: {value}"]
    if bearer:
        out += ["--bearer", bearer if _ENV.fullmatch(bearer.strip()) else "$TOOLCHECK_BEARER"]
    if basic:
        out += ["--basic", basic if _ENV.fullmatch(basic.strip()) else "$TOOLCHECK_BASIC"]
    for raw in identities or []:
        name, _, rest = raw.partition("=")
        scheme, _, value = rest.partition(":")
        if not _ENV.fullmatch(value.strip()):
            value = "$TOOLCHECK_IDENTITY_" + (re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "OTHER")
        out += ["--identity", f"{name}={scheme}:{value}"]
    for raw in identity_scopes or []:
        out += ["--identity-scopes", raw]
    return shlex.join(out)


def select_operations(spec: Any, operations: list[str], tags: list[str], methods: list[str], paths: list[str]) -> list[Any]:
    chosen = list(spec.operations)
    if not chosen:  # a webhooks-only spec: "no operation matches the filters" named filters nobody gave
        raise UsageError("the spec has no operations under `paths` (webhooks are not called).")
    if operations:
        wanted = []
        for ref in operations:
            try:
                wanted.append(spec.operation(ref))
            except KeyError as exc:
                raise UsageError(str(exc).strip("\"'")) from None
        chosen = [op for op in chosen if op in wanted]
    if tags:
        chosen = [op for op in chosen if set(op.tags) & set(tags)]
    if methods:
        lowered = {m.lower() for m in methods}
        chosen = [op for op in chosen if op.method in lowered]
    if paths:
        chosen = [op for op in chosen if any(fnmatch.fnmatchcase(op.path, p) for p in paths)]
    if not chosen:
        raise UsageError("no operation matches the --operation/--tag/--method/--path filters")
    return chosen


def _target(base_url: str | None, mock: bool) -> str:
    if mock and base_url:
        raise UsageError("use either --base-url or --mock, not both")
    if not mock and not base_url:
        raise UsageError("give the API to test with --base-url URL, or --mock to fuzz the built-in mock")
    return "--mock" if mock else f"--base-url {shlex.quote(base_url or '')}"


def _client(spec: Any, base_url: str | None, mock: bool, seed: int, timeout: float) -> tuple[Any, str]:
    from toolcheck.fuzz.http import make_client

    if mock:
        from toolcheck.mock import MockTransport

        # where `toolcheck mock SPEC` listens by default: the curl lines of findings work once it runs
        url = MOCK_URL
        return make_client(url, timeout=timeout, transport=MockTransport(spec, seed=seed, stateful=True)), url
    assert base_url is not None
    if not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url must be an http(s) URL, got {base_url!r}")
    return make_client(base_url, timeout=timeout), base_url


def _probe(client: Any, base_url: str) -> None:
    import httpx

    try:
        client.request("HEAD", "/")
    except httpx.TransportError as exc:
        raise TargetError(f"cannot reach {base_url}: {type(exc).__name__}: {exc}",
                          hint="Is the server running? Check --base-url.") from None


@app.command()
def fuzz(
    spec: str = typer.Argument(..., help="The OpenAPI spec (file, directory, '-' or git:REV:path)."),
    base_url: str | None = typer.Option(None, "--base-url", help="The API to test, with any base path (http://localhost:8000/v1)."),
    mock: bool = typer.Option(False, "--mock", help="Fuzz the built-in stateful mock of the spec instead."),
    operation: list[str] = typer.Option([], "--operation", "-o", help="Only this operationId or 'METHOD /path' (repeatable)."),
    tag: list[str] = typer.Option([], "--tag", help="Only operations with this tag (repeatable)."),
    method: list[str] = typer.Option([], "--method", help="Only this HTTP method (repeatable)."),
    path: list[str] = typer.Option([], "--path", help="Only paths matching this glob, e.g. '/tasks*' (repeatable)."),
    mode: str = typer.Option("all", "--mode", help="positive, negative or all."),
    phases: str = typer.Option("examples,boundary,fuzz,stateful,auth,authz", "--phases", help="Phases to run, fastest first."),
    max_examples: int = typer.Option(100, "--max-examples", min=0, help="Random cases per operation in the fuzz phase."),
    max_time: float | None = typer.Option(None, "--max-time", min=0.1, help="Time budget for the whole run, in seconds."),
    op_budget: float = typer.Option(5.0, "--operation-budget", min=0.0, help="Time budget of the fuzz phase per operation (s)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: a new one, printed)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=32, help="Operations fuzzed in parallel."),
    header: list[str] = typer.Option([], "--header", "-H", help="Request header 'Name: value' as in curl; $VAR reads the environment."),
    bearer: str | None = typer.Option(None, "--bearer", envvar="TOOLCHECK_BEARER", show_envvar=True,
                                      help="Bearer token (or $VAR)."),
    basic: str | None = typer.Option(None, "--basic", envvar="TOOLCHECK_BASIC", show_envvar=True,
                                     help="Basic auth user:password (or $VAR)."),
    max_response_time: float | None = typer.Option(None, "--max-response-time", min=0.001, help="Flag responses slower than this (seconds)."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.01, help="Per-request timeout in seconds."),
    ref_root: list[str] = REF_ROOT,
    shrink: bool = typer.Option(True, "--shrink/--no-shrink", help="Shrink failing cases before reporting them."),
    engine: str = typer.Option("own", "--engine", help="Fuzz-phase body generator: own (fast, default) or hypothesis (hypothesis-jsonschema)."),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Report directory (also holds fuzz-findings.json)."),
    formats: str = typer.Option("html,junit,json", "--report-format", help="Report files to write into --reports: "
                                "html, junit, json, markdown."),
    old_formats: str | None = typer.Option(None, "--format", hidden=True, help="Deprecated: --report-format."),
    no_reports: bool = typer.Option(False, "--no-reports", help="Write no report files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
    require_complete: bool = typer.Option(False, "--require-complete",
                                          help="Exit 1 when not every operation and phase was tested (time budget, "
                                               "held-back deletes, Ctrl-C)."),
    identity_deletes: bool = typer.Option(False, "--include-identity-deletes",
                                          help="Also run deletes that may remove the caller's own identity "
                                               "(DELETE /users/me, /accounts, /api-keys/{id}); held back by default."),
    severity: list[str] = typer.Option([], "--severity", help=SEVERITY_HELP),
    identity: list[str] = typer.Option([], "--identity", help="Another identity for the authz phase, NAME=SCHEME:VALUE "
                                       "(repeatable; $VAR reads the environment): operations needing a scope it "
                                       "lacks must refuse it."),
    identity_scopes: list[str] = typer.Option([], "--identity-scopes", help="The scopes an --identity holds, "
                                              "NAME=SCOPE,SCOPE (a JWT's scope claim is read when not given)."),
) -> None:
    """Fuzz an API from its spec: examples, boundaries, random and stateful cases, auth probes.

    Phases run breadth first (every operation its examples, then every operation its boundary
    cases, ...), so a --max-time budget covers every operation before going deep on any.

    Exit codes: 0 no findings (or warnings only) · 1 findings (or incomplete with --require-complete) · 2 bad input,
    or could not test (credentials rejected) · 3 target unreachable · 130 interrupted.
    """
    from toolcheck.fuzz import PHASES, FuzzOptions
    from toolcheck.fuzz.findings import request_redactor
    from toolcheck.spec import load_spec

    with handle_errors():
        if engine not in ("own", "hypothesis"):
            raise UsageError(f"--engine must be own or hypothesis, not {engine!r}")
        if mode not in ("positive", "negative", "all"):
            raise UsageError(f"--mode must be positive, negative or all, not {mode!r}")
        chosen_phases = tuple(p.strip() for p in phases.split(",") if p.strip())
        unknown = [p for p in chosen_phases if p not in PHASES]
        if unknown:
            raise UsageError(f"unknown phase {unknown[0]!r}; phases are {', '.join(PHASES)}")
        if renamed(old_formats, "fuzz --format", "--report-format"):
            formats = str(old_formats)
        levels = severity_levels(severity, "fuzz")
        target = _target(base_url, mock)
        auth = build_auth(header, bearer, basic)
        loaded = load_spec(spec, ref_roots=ref_roots(ref_root))
        redactor = request_redactor(loaded, auth.secrets, auth.headers)
        replay_creds = redactor.redact_text(replay_credentials(header, bearer, basic, identity, identity_scopes))
        operations = select_operations(loaded, operation, tag, method, path)
        run_seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        client, url = _client(loaded, base_url, mock, run_seed, timeout)
        if not mock:
            _probe(client, url)
        elif not auth.headers:
            from toolcheck.fuzz.http import mock_credentials

            auth = mock_credentials(loaded)  # the mock checks a credential's shape, not its value
        from toolcheck.fuzz.authz import parse_identities

        identities = parse_identities([_expand(v, "--identity") for v in identity], identity_scopes, loaded)
        for other in identities:
            for value in other.credentials.values():
                redactor.add(value, label="--identity")
        # The mock refuses toolcheck's invalid credential as a server would, so the probe runs there too.
        options = FuzzOptions(mode=mode, max_examples=max_examples, max_time=max_time, op_budget=op_budget,
                              seed=run_seed, workers=workers, phases=chosen_phases,
                              max_response_time=max_response_time, shrink=shrink, invalid_credentials=True, engine=engine,
                              identity_deletes=identity_deletes, levels=levels, identities=identities,
                              narrow_tokens=mock)
    from toolcheck.cli._signals import InterruptGuard

    with InterruptGuard() as guard:  # SIGTERM stops fuzzing as Ctrl-C does; reports are written after either
        _fuzz_and_report(guard, loaded, client, url, auth, options, redactor, operations, reports, formats,
                         no_reports, spec, target, run_seed, quiet, require_complete, replay_creds)


def _fuzz_and_report(guard: Any, loaded: Any, client: Any, url: str, auth: Any, options: Any, redactor: Any,
                     operations: list[Any], reports: Path, formats: str, no_reports: bool, spec: str, target: str,
                     run_seed: int, quiet: bool, require_complete: bool, replay_creds: str = "") -> None:
    from toolcheck import __version__
    from toolcheck.fuzz import Fuzzer
    from toolcheck.fuzz.replay import save_findings
    from toolcheck.fuzz.results import to_run_result

    with handle_errors():
        fuzzer = Fuzzer(loaded, client, base_url=url, auth=auth, options=options, redactor=redactor)
        with _progress(fuzzer, len(operations), quiet) as on_event:
            if on_event is not None:
                fuzzer.on_event = on_event
            try:
                findings = fuzzer.run(operations)
            finally:
                guard.defer()  # a second Ctrl-C (or SIGTERM) from here on cannot cost the reports
                client.close()
        findings_file = str(reports / FINDINGS_FILE)
        result = to_run_result(loaded, fuzzer, findings, operations, findings_file=shlex.quote(findings_file),
                               target=target, command_line=redactor.redact_text(_command_line(spec, target)),
                               version=__version__, credentials=replay_creds)
        written: dict[str, Path] = {}
        if not no_reports:
            from toolcheck.report import write_reports

            written = write_reports(result, reports, [f.strip() for f in formats.split(",") if f.strip()], redactor=redactor)
            save_findings(findings_file, spec=loaded.source, target=target, seed=run_seed, findings=findings)
    _print(result, findings, written, spec, f"{target} {replay_creds}".strip(), run_seed, quiet, no_reports,
           findings_file)
    if fuzzer.stats.errors:
        from toolcheck.cli._console import err_console

        for op_id, error in sorted(fuzzer.stats.errors.items()):
            from rich.markup import escape

            err_console().print(f"[yellow]warning:[/] {escape(op_id)} could not be tested (toolcheck error: "
                                f"{escape(error)}); please report it", highlight=False, soft_wrap=True)
    if fuzzer.cancelled:
        raise typer.Exit(130)  # interrupted (Ctrl-C): reports hold what was found so far
    auth_verdict = result.summary.get("auth") or {}
    if auth_verdict.get("status", "ok") != "ok":
        from rich.markup import escape

        from toolcheck.cli._console import err_console

        err_console().print(f"[bold red]could not test:[/] {escape(str(auth_verdict.get('message')))}",
                            highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if any(f.failure.severity is Severity.ERROR for f in findings):
        raise typer.Exit(1)
    if fuzzer.stats.errors:
        raise typer.Exit(3)
    raise typer.Exit(1 if require_complete and result.incomplete else 0)


def _command_line(spec: str, target: str) -> str:
    """This run's command line (from argv when run from a shell; minimal otherwise)."""
    if sys.argv[1:2] == ["fuzz"]:
        return shlex.join(["toolcheck", "fuzz", *sys.argv[2:]])
    return f"toolcheck fuzz {shlex.quote(spec)} {target}"


PROGRESS_EVERY = 5.0  # seconds between progress lines when stderr is not a terminal (CI logs)


@contextmanager
def _progress(fuzzer: Any, total: int, quiet: bool) -> Iterator[Any]:
    """Progress on stderr: a transient bar on a terminal; without one (CI), a line every few seconds."""
    import threading
    import time

    from toolcheck.cli._console import err_console

    console = err_console()
    if quiet:
        yield None
        return
    if not console.is_terminal:
        stop = threading.Event()
        started = time.monotonic()

        def report() -> None:
            while not stop.wait(PROGRESS_EVERY):
                stats = fuzzer.stats
                tested = sum(1 for n in stats.per_operation.values() if n)
                console.print(f"fuzz: {tested}/{total} operations tested, {stats.cases} requests, "
                              f"{len(fuzzer.findings.all())} finding(s), {time.monotonic() - started:.0f} s",
                              highlight=False, soft_wrap=True)

        thread = threading.Thread(target=report, name="toolcheck-progress", daemon=True)
        thread.start()
        try:
            yield None
        finally:
            stop.set()
            thread.join(1)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("fuzzing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("", total=total)

        def on_event(kind: str, data: dict[str, Any]) -> None:
            if kind == "operation":  # one per operation and round: the bar counts operations tested
                tested = sum(1 for n in fuzzer.stats.per_operation.values() if n)
                progress.update(task, completed=tested,
                                description=f"{data.get('phase', '')}: {data.get('operation', '')}")

        yield on_event


def _rerun(command_line: str, seed: int) -> str:
    """The run's own (redacted) command line with its seed pinned."""
    try:
        argv = shlex.split(command_line)
    except ValueError:
        return f"toolcheck fuzz ... --seed {seed}"
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--seed":
            skip = True
            continue
        if arg.startswith("--seed="):
            continue
        out.append(arg)
    return shlex.join([*out, "--seed", str(seed)])


def _print(result: Any, findings: list[Any], written: dict[str, Path], spec: str, target: str, seed: int,
           quiet: bool, no_reports: bool, findings_file: str) -> None:
    from rich.markup import escape

    from toolcheck.cli._console import console

    out = console()
    summary = result.summary
    if not quiet:
        for f in findings:
            fail = f.failure
            mark = "[red]✗[/]" if fail.severity is Severity.ERROR else f"[yellow]![/] [dim]{fail.severity}[/]"
            where = f"{len(f.operations)} operations" if len(f.operations) > 1 else f.operation_id
            out.print(f"{mark} [bold]{escape(where)}[/] {fail.check} [dim]({escape(fail.cause)}, "
                      f"{f.count}×, id {f.id})[/]", soft_wrap=True)
            out.print(f"  {escape(fail.message)}", soft_wrap=True)
            if len(f.operations) > 1:  # one server-wide cause: where it showed (all of them in the JSON)
                shown = ", ".join(f"{o['operation_id']} ({o['method']})" for o in f.operations[:12])
                more = f" and {len(f.operations) - 12} more" if len(f.operations) > 12 else ""
                out.print(f"  [dim]the same answer on:[/] {escape(shown)}{more}", soft_wrap=True)
            if fail.hint:
                out.print(f"  [dim]hint:[/] {escape(fail.hint)}", soft_wrap=True)
            if f.steps:
                out.print("  [dim]reproduce (in order):[/]", soft_wrap=True)
                for step in f.steps:
                    out.print(f"    {escape(step['curl'])}", soft_wrap=True)
            else:
                out.print(f"  [dim]reproduce:[/] {escape(f.curl)}", soft_wrap=True)
            if not no_reports:
                out.print(f"  [dim]replay:[/] toolcheck replay {f.id} --findings {escape(shlex.quote(findings_file))} "
                          f"{escape(target)}", soft_wrap=True)
    if findings and not quiet and target.startswith("--mock"):
        out.print(f"[dim]note: --mock answered in-process; the curl lines above reach {MOCK_URL} only while "
                  f"`toolcheck mock {escape(shlex.quote(spec))} --stateful` runs there[/]", soft_wrap=True)
    cover = summary.get("coverage") or {}
    tested = f"{cover.get('operations_tested', 0)} of {cover.get('operations_total', summary['operations'])} operations tested"
    if result.interrupted:
        state = " [yellow](interrupted)[/]"
    elif result.incomplete:
        state = f" [yellow](incomplete: {escape(result.incomplete)})[/]"
    else:
        state = ""
    errors = [f for f in findings if f.failure.severity is Severity.ERROR]
    warned = f", {len(findings) - len(errors)} warning(s)" if len(errors) < len(findings) else ""
    verdict = f"[red]{len(errors)} finding(s)[/]{warned}" if errors else f"[yellow]{len(findings)} warning(s)[/]" if findings else (
        "[green]no findings[/]" if not result.incomplete else "[yellow]no findings[/]")
    if (summary.get("auth") or {}).get("status", "ok") != "ok":
        verdict = f"[bold red]could not test (credentials {summary['auth']['status']})[/], {len(findings)} finding(s)"
    out.print(f"{verdict}; {tested}{state}: {summary['requests']} requests in "
              f"{result.duration:.1f} s ({summary['cases_per_second']:.0f}/s); seed {seed} "
              f"(rerun: {escape(_rerun(result.command_line, seed))})", soft_wrap=True)
    llm = summary.get("llm_mistakes") or {}
    total = sum(llm.values())
    if total and not quiet:
        out.print(f"LLM-style mistakes (numbers as strings, near-miss enums, invented fields ...): "
                  f"{llm.get('helpful', 0)}/{total} rejected with a documented error, "
                  f"{llm.get('accepted', 0)} accepted, {llm.get('unhelpful', 0)} answered unhelpfully", soft_wrap=True)
    if written:
        out.print("reports: " + ", ".join(str(p) for p in written.values()), soft_wrap=True)


@app.command()
def payloads(
    spec: str = typer.Argument(..., help="The OpenAPI spec."),
    operation: str = typer.Option(..., "--operation", "-o", help="operationId or 'METHOD /path'."),
    negative: bool = typer.Option(False, "--negative", help="Proven-invalid cases instead of valid ones."),
    count: int = typer.Option(20, "--count", "-n", min=1, max=100_000, help="How many cases."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    output: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
    old_output: Path | None = typer.Option(None, "--output", hidden=True, help="Deprecated: --out."),
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Write generated cases for one operation as JSON lines (for agent evals, load tests...)."""
    from toolcheck.payloads import generate_cases
    from toolcheck.spec import load_spec

    if renamed(old_output, "payloads --output", "--out"):
        output = old_output
    with handle_errors():
        loaded = load_spec(spec, ref_roots=ref_roots(ref_root))
        op = select_operations(loaded, [operation], [], [], [])[0]
        cases = generate_cases(loaded, op, seed=seed, negative=negative, count=count)
        lines = "".join(json.dumps(_payload_line(loaded, op, c), ensure_ascii=False, default=str) + "\n" for c in cases)
        if output is not None:
            from toolcheck.report import atomic_write_text

            atomic_write_text(output, lines)
        else:
            sys.stdout.write(lines)


def _payload_line(spec: Any, op: Any, case: Any) -> dict[str, Any]:
    """A case plus the request it becomes on the wire (no credentials), for other harnesses."""
    from toolcheck.fuzz.http import Auth, build

    data: dict[str, Any] = case.to_dict()
    method, url, headers, body = build(spec, op, case, Auth(), credentials="none")
    data["request"] = {"method": method, "path": url, "headers": headers,
                       "body": body.decode("utf-8", "replace") if body is not None else None}
    return data


@app.command()
def replay(
    finding_id: str = typer.Argument(..., help="The finding id printed by `toolcheck fuzz` (a prefix is enough)."),
    findings: Path = typer.Option(Path("reports") / FINDINGS_FILE, "--findings", help="The findings file of the run."),
    spec: str | None = typer.Option(None, "--spec", help="The spec (default: the one the run used)."),
    base_url: str | None = typer.Option(None, "--base-url", help="The API to send the case to."),
    mock: bool = typer.Option(False, "--mock", help="Send it to the built-in mock."),
    header: list[str] = typer.Option([], "--header", "-H", help="Request header 'Name: value'; $VAR reads the environment."),
    bearer: str | None = typer.Option(None, "--bearer", envvar="TOOLCHECK_BEARER", show_envvar=True,
                                      help="Bearer token (or $VAR)."),
    basic: str | None = typer.Option(None, "--basic", envvar="TOOLCHECK_BASIC", show_envvar=True,
                                     help="Basic auth user:password (or $VAR)."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.01, help="Per-request timeout in seconds."),
    ref_root: list[str] = REF_ROOT,
    identity: list[str] = typer.Option([], "--identity", help="Another identity, as in the fuzz run's authz phase: "
                                       "NAME=SCHEME:VALUE (repeatable; $VAR reads the environment)."),
    identity_scopes: list[str] = typer.Option([], "--identity-scopes", help="The scopes an --identity holds, "
                                              "NAME=SCOPE,SCOPE, as in the fuzz run."),
) -> None:
    """Send one finding's minimal case again and say whether it still fails (exit 1) or not (0)."""
    from rich.markup import escape

    from toolcheck.cli._console import console
    from toolcheck.fuzz import Fuzzer, FuzzOptions
    from toolcheck.fuzz.findings import request_redactor
    from toolcheck.fuzz.replay import load_findings, pick
    from toolcheck.fuzz.replay import replay as run_replay
    from toolcheck.spec import load_spec

    with handle_errors():
        data = load_findings(findings)
        finding = pick(data, finding_id)
        _target(base_url, mock)
        auth = build_auth(header, bearer, basic)
        loaded = load_spec(spec or str(data.get("spec")), ref_roots=ref_roots(ref_root))
        seed = int(data.get("seed") or 0)
        client, url = _client(loaded, base_url, mock, seed, timeout)
        if not mock:
            _probe(client, url)
        elif not auth.headers:
            from toolcheck.fuzz.http import mock_credentials

            auth = mock_credentials(loaded)
        from toolcheck.fuzz.authz import parse_identities

        identities = parse_identities([_expand(v, "--identity") for v in identity], identity_scopes, loaded)
        if finding.get("phase") == "authz" and not identities and not mock:
            raise UsageError(f"{finding['operation_id']} {finding['check']} was found by another identity: pass its "
                             "--identity (and --identity-scopes) as in the original run")
        redactor = request_redactor(loaded, auth.secrets, auth.headers)
        for other in identities:
            for value in other.credentials.values():
                redactor.add(value, label="--identity")
        fuzzer = Fuzzer(loaded, client, base_url=url, auth=auth, redactor=redactor,
                        options=FuzzOptions(seed=seed, invalid_credentials=not mock, identities=identities,
                                            narrow_tokens=mock))
        try:
            reproduced, found = run_replay(fuzzer, finding)
        finally:
            client.close()
    out = console()
    label = f"{finding['operation_id']} {finding['check']} ({finding['cause']})"
    if reproduced:
        match = next(f for f in found if f.key == (finding["operation_id"], finding["check"], finding["cause"]))
        out.print(f"[red]still failing[/]: {escape(label)}\n  {escape(match.failure.message)}\n  {escape(match.curl)}", soft_wrap=True)
        raise typer.Exit(1)
    from toolcheck.fuzz import is_secured

    if not auth.headers and finding["check"] != "auth_not_enforced" and any(
            is_secured(op) for op in loaded.operations if op.operation_id in _involved(finding)):
        with handle_errors():
            raise UsageError(f"{label} did not reproduce, but no credentials were given and the operation is "
                             "secured: pass them as in the original run (--bearer, --basic or -H)")
    out.print(f"[green]fixed[/]: {escape(label)} no longer fails", soft_wrap=True)
    raise typer.Exit(0)


def _involved(finding: dict[str, Any]) -> set[str]:
    ops = {str(finding["operation_id"])}
    ops.update(str(step.get("operation_id")) for step in finding.get("steps") or [])
    return ops
