"""`toolcheck run PATHS...`: run scenarios and Arazzo workflows, write reports, exit for CI.

Exit codes: 0 every step passed · 1 a step failed · 2 invalid scenario, spec or usage, or could not
test (every authenticated request refused, or credentials that stopped working) ·
3 target unreachable or internal error · 130 interrupted (reports still written).
Imports of the engine happen inside the command so `toolcheck --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import (
    ALLOW_NETWORK,
    REF_ROOT,
    SEVERITY_HELP,
    handle_errors,
    ref_roots,
    renamed,
    severity_levels,
)
from toolcheck.errors import UsageError
from toolcheck.findings import Severity

if TYPE_CHECKING:
    from toolcheck.results import CaseResult, SuiteResult


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {item!r}: expected NAME=VALUE.")
        out[key.strip()] = value
    return out


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Headers whose value is a credential whatever their name (RFC 9110 §11.6.2, §11.7.2; RFC 6265)
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def _headers(values: list[str]) -> dict[str, str]:
    """``-H 'Name: value'`` (curl's spelling; ``Name=value`` too) as a header map."""
    out: dict[str, str] = {}
    for item in values:
        colon, equals = item.find(":"), item.find("=")
        cut = colon if colon >= 0 and (equals < 0 or colon < equals) else equals
        name, value = (item[:cut].strip(), item[cut + 1:].strip()) if cut > 0 else ("", "")
        if not name or not set(name) <= _TOKEN:
            raise UsageError(f"--header {item!r}: expected NAME:VALUE with a header name (letters, digits, -).")
        if any(c in value for c in "\r\n\0"):
            raise UsageError(f"--header {name}: the value may not hold a line break or NUL.")
        out[name] = value
    return out


def _credential_headers(headers: dict[str, str]) -> frozenset[str]:
    from toolcheck.redact import is_secret_name

    return frozenset(k.lower() for k in headers if k.lower() in _CREDENTIAL_HEADERS or is_secret_name(k))


def _warn_unknown_schemes(credentials: dict[str, str], scenarios: list[Any], targets: Any) -> None:
    """``--auth NAME=VALUE`` for a scheme no spec of the run declares is sent nowhere: say so,
    once per name, instead of running as if the API had been given a credential."""
    if not credentials:
        return
    from rich.markup import escape

    from toolcheck.cli._console import err_console

    declared: set[str] = set()
    sources: set[str] = set()
    for scenario in scenarios:
        for spec in targets.specs(scenario).values():
            declared.update(spec.security_schemes)
            sources.add(str(spec.source))
    for name in credentials:
        if name in declared:
            continue
        known = f"it declares {', '.join(sorted(declared))}" if declared else "it declares no security scheme"
        err_console().print(
            f"[yellow]warning:[/] --auth {escape(name)}: no security scheme {escape(name)!r} in "
            f"{escape(', '.join(sorted(sources)))} ({escape(known)}); this credential is not sent. "
            "Send it as a header with -H 'Authorization: ...' (or the API's own header).", soft_wrap=True)


def _input_value(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _inputs_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from toolcheck.scenarios.loader import read_document

    data, _ = read_document(path)
    if not isinstance(data, dict):
        raise UsageError("--inputs: the file must hold a mapping of input names to values.", location=str(path))
    return {str(k): v for k, v in data.items()}


def _choice(value: str, option: str, allowed: tuple[str, ...], also: tuple[str, ...] = ()) -> str:
    """``value`` if it is one of ``allowed`` (or of ``also``: older spellings, still read, not listed)."""
    if value not in allowed + also:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(allowed)}.")
    return value


@app.command()
def run(
    paths: list[str] = typer.Argument(..., help="Scenario files (*.toolcheck.yaml), Arazzo files, or directories."),
    spec: str | None = typer.Option(None, "--spec", help="The OpenAPI spec (overrides each scenario's `spec:`)."),
    base_url: str | None = typer.Option(None, "--base-url", help="Send requests here (default: the spec's server)."),
    mock: bool = typer.Option(False, "--mock", help="Run against the in-process mock of the spec (no server)."),
    source: list[str] = typer.Option([], "--source", help="Arazzo source override NAME=PATH (repeatable)."),
    inputs: list[str] = typer.Option([], "--input", "-i", help="Input NAME=VALUE (JSON or text; repeatable)."),
    inputs_file: Path | None = typer.Option(None, "--inputs", help="A JSON or YAML file of inputs (NAME: VALUE); --input wins."),
    auth: list[str] = typer.Option([], "--auth", help="Credential SCHEME=VALUE for a security scheme of the spec (repeatable)."),
    auth_profile: list[str] = typer.Option([], "--auth-profile", help="Credentials of a named identity, NAME:SCHEME=VALUE "
                                           "(repeatable), for steps with `auth: {profile: NAME}` (least-privilege tests)."),
    header: list[str] = typer.Option([], "--header", "-H", help="Header NAME:VALUE sent with every step that does not "
                                     "set it (repeatable); credential headers are left off auth-failure steps."),
    workflow: str | None = typer.Option(None, "--workflow", help="Run only this Arazzo workflowId (or scenario name)."),
    tags: list[str] = typer.Option([], "--tag", help="Run only scenarios with this tag (repeatable)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, max=64, help="Scenarios run in parallel (steps stay sequential)."),
    fail_fast: bool = typer.Option(False, "--fail-fast", "-x", help="Stop after the first failing scenario."),
    list_only: bool = typer.Option(False, "--list", help="Validate and list the scenarios and steps; send nothing."),
    shard_spec: str | None = typer.Option(None, "--shard", help="Run shard i of n (e.g. 2/4) of the scenarios."),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Report directory."),
    formats: str = typer.Option("html,junit,json", "--report-format", help="Report files to write into --reports: "
                                "html, junit, json, markdown."),
    old_formats: str | None = typer.Option(None, "--format", hidden=True, help="Deprecated: --report-format."),
    no_reports: bool = typer.Option(False, "--no-reports", help="Write no report files."),
    contract: str = typer.Option("error", "--contract", help="Spec conformance of responses: error, warning or off."),
    leak_check: str = typer.Option("error", "--leak-check", help="A known secret in a response: error, warning or off."),
    severity: list[str] = typer.Option([], "--severity", help=SEVERITY_HELP),
    timeout: float = typer.Option(30.0, "--timeout", min=0.001, help="Per-request timeout in seconds (steps may override)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the mock's generated data."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the final summary line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every step (method, URL, status, attempts) and a curl line for failures."),
    allow_env: list[str] = typer.Option([], "--allow-env", help="Environment variables scenarios may read as $env.NAME "
                                        "(a name or a glob such as 'API_*'; repeatable). Given, it also limits what files declare."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Run multi-step scenarios and Arazzo workflows; check every response against the spec.

    Exit codes: 0 passed · 1 failures · 2 invalid scenario/spec/usage · 3 target unreachable ·
    130 interrupted (reports of what finished are written).
    """
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with handle_errors():
        # `warn` is the older spelling of `warning` (toolcheck.findings): still read, not advertised
        _choice(contract, "--contract", ("error", "warning", "off"), also=("warn",))
        _choice(leak_check, "--leak-check", ("error", "warning", "off"), also=("warn",))
        if mock and base_url:
            raise UsageError("--mock and --base-url exclude each other: choose one target.")
        source_map = {k: str(Path(v)) if "://" not in v else v for k, v in _pairs(source, "--source").items()}
        input_map = {**_inputs_file(inputs_file), **{k: _input_value(v) for k, v in _pairs(inputs, "--input").items()}}
        auth_map = _pairs(auth, "--auth")
        profiles: dict[str, dict[str, str]] = {}
        for raw in auth_profile:
            name, sep, pair = raw.partition(":")
            if not sep or not name or "=" not in pair:
                raise UsageError(f"--auth-profile expects NAME:SCHEME=VALUE, got {raw.split('=', 1)[0]!r}...")
            profiles.setdefault(name, {}).update(_pairs([pair], "--auth-profile"))
        header_map = _headers(header)
        severity_map = severity_levels(severity, "run")
        if renamed(old_formats, "run --format", "--report-format"):
            formats = str(old_formats)
        chosen: tuple[str, ...] = ()
        if not no_reports:
            from toolcheck.report import normalise_formats

            chosen = normalise_formats([formats])
        printer = Printer(quiet=quiet, verbose=verbose, mock=mock)
        code = _execute(
            paths, spec=spec, base_url=base_url, mock=mock, sources=source_map, inputs=input_map,
            workflow=workflow, credentials=auth_map, profiles=profiles, headers=header_map, severity=severity_map,
            tags=tags, fail_fast=fail_fast,
            list_only=list_only, jobs=jobs, shard_spec=shard_spec, reports=reports, formats=chosen,
            contract=contract, leak_check=leak_check, timeout=timeout, seed=seed, allow_network=allow_network,
            ref_root=ref_roots(ref_root), printer=printer, started_at=started_at, allow_env=tuple(allow_env),
        )
    raise typer.Exit(code)


def _execute(paths: list[str], *, spec: str | None, base_url: str | None, mock: bool, sources: dict[str, str],
             inputs: dict[str, Any], workflow: str | None, credentials: dict[str, str],
             profiles: dict[str, dict[str, str]], headers: dict[str, str], severity: dict[str, Severity | None],
             tags: list[str], fail_fast: bool, list_only: bool, jobs: int, shard_spec: str | None, reports: Path,
             formats: tuple[str, ...], contract: str, leak_check: str, timeout: float, seed: int,
             allow_network: bool, printer: Any, started_at: str, ref_root: tuple[str, ...] = (),
             allow_env: tuple[str, ...] = ()) -> int:

    from toolcheck import __version__
    from toolcheck._startup import end_startup
    from toolcheck.redact import Redactor
    from toolcheck.results import RunResult
    from toolcheck.scenarios import (
        RunContext,
        Settings,
        Targets,
        bind_env,
        expand,
        load_paths,
        register_env_secrets,
        run_units,
    )
    from toolcheck.scenarios import shard as take_shard

    scenarios = load_paths(paths, workflow=workflow)
    if tags:
        scenarios = [s for s in scenarios if set(tags) & set(s.tags)]
    if not scenarios:
        why = (f": no workflow or scenario named {workflow!r}" if workflow else
               f": no scenario tagged {', '.join(tags)}" if tags else "")
        raise UsageError(f"nothing to run{why}.")
    scenarios = take_shard(scenarios, shard_spec)
    env = dict(os.environ)
    redactor = Redactor()
    bind_env(scenarios, env, allow=allow_env, redactor=redactor)  # before anything renders server: {$env.X}
    targets = Targets(spec=spec, base_url=base_url, mock=mock, sources=sources, seed=seed, timeout=timeout,
                      allow_network=allow_network, ref_roots=ref_root)
    for scenario in scenarios:
        targets.check(scenario)
    _warn_unknown_schemes(credentials, scenarios, targets)
    if list_only:
        printer.listing(expand(scenarios))
        return 0
    register_env_secrets(redactor, env)
    for value in [*credentials.values(), *(v for p in profiles.values() for v in p.values())]:
        redactor.add(value, label="--auth")
    secret_headers = _credential_headers(headers)
    for name, value in headers.items():
        if name.lower() in secret_headers:
            redactor.add(value, label=f"--header {name}")
            scheme, _, token = value.partition(" ")
            if token and scheme.isalpha():  # "token abc", "Bearer abc": the token alone is secret too
                redactor.add(token.strip(), label=f"--header {name}")
    settings = Settings(contract=contract, timeout=timeout, leak_check=leak_check,
                        placeholder_credential="toolcheck-mock-credential" if mock else None, severity=severity,
                        profiles=profiles, headers=headers, credential_headers=secret_headers)
    run_ctx = RunContext(settings=settings, redactor=redactor, inputs=inputs, env=env, synthesize_inputs=mock,
                         credentials=credentials,
                         on_case=printer.case if printer.verbose else None)
    units = expand(scenarios)
    title = ", ".join(sorted({Path(s.file).parent.name or s.file for s in scenarios})) or "scenarios"
    argv = ["toolcheck", "run", *sys.argv[2:]] if len(sys.argv) > 1 and sys.argv[1] == "run" else ["toolcheck", "run", *paths]
    header = RunResult(tool="run", title=f"toolcheck run: {title}", started_at=started_at, version=__version__,
                       command_line=" ".join(argv), seed=seed if mock else None,
                       summary={"target": "mock" if mock else (base_url or "spec servers"), "jobs": jobs,
                                "shard": shard_spec or "1/1", "contract": contract})
    reporter = None
    if formats:
        from toolcheck.report import IncrementalReporter

        reporter = IncrementalReporter(reports, formats, header, redactor=redactor)
    printer.start(len(units), seed if mock else None)
    t0 = time.perf_counter()
    finished: dict[int, Any] = {}

    def on_suite(index: int, suite: Any) -> None:
        finished[index] = suite
        printer.suite(suite)
        if reporter is not None:
            reporter.add(suite)

    from toolcheck.cli._signals import InterruptGuard

    interrupted = False
    outcomes: list[Any] = []
    with InterruptGuard() as guard:  # from here on, a second Ctrl-C cannot cost the reports
        try:
            end_startup()  # the collector resumes for the steps (see toolcheck.cli.end_startup)
            outcomes = run_units(units, targets, run_ctx, jobs=jobs, on_suite=on_suite, fail_fast=fail_fast)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            guard.defer()
            targets.close()
            printer.stop()
        return _conclude(header, outcomes, finished, interrupted, t0, redactor, reporter, printer)


def _conclude(header: Any, outcomes: list[Any], finished: dict[int, Any], interrupted: bool, t0: float,
              redactor: Any, reporter: Any, printer: Any) -> int:
    """Write the reports (every format, also after an interrupt), print the summary, exit code."""
    from dataclasses import replace

    suites = tuple(s for s, _ in outcomes) if not interrupted else tuple(finished[i] for i in sorted(finished))
    unreachable = any(u for _, u in outcomes)
    from toolcheck.scenarios.health import credential_problem

    refused = credential_problem(suites)
    result = replace(header, suites=suites, duration=time.perf_counter() - t0, interrupted=interrupted,
                     command_line=redactor.redact_text(header.command_line),
                     summary={**header.summary, **_totals(suites)}, incomplete=refused or header.incomplete)
    paths_written: dict[str, Path] = {}
    if reporter is not None:
        paths_written = reporter.interrupt(result) if interrupted else reporter.finish(result)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        _github_summary(result, summary_file, redactor)
    printer.summary(result, paths_written)
    if interrupted:
        return 130
    if unreachable:
        return 3
    if refused:
        from toolcheck.cli._console import err_console

        err_console().print(f"could not test: {refused}", style="bold red", highlight=False, markup=False)
        return 2
    return 0 if result.ok else 1


def _totals(suites: tuple[SuiteResult, ...]) -> dict[str, Any]:
    """Run-wide numbers for the report header: requests sent and violations by check."""
    by_check: dict[str, int] = {}
    requests = 0
    for suite in suites:
        for case in suite.cases:
            if case.details.response is not None:
                requests += max(1, len(case.details.attempts or ()))
            for violation in case.details.violations or ():
                by_check[violation.check] = by_check.get(violation.check, 0) + 1
    return {"scenarios": len(suites), "requests": requests, "violations": dict(sorted(by_check.items()))}


def _github_summary(result: Any, path: str, redactor: Any) -> None:
    from toolcheck.report import render_markdown, sanitize_result

    try:
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(render_markdown(sanitize_result(result, redactor)) + "\n")
    except OSError:
        pass  # a summary is a courtesy; never fail a run for it


class Printer:
    """Terminal output: a rich progress bar while running, one line per scenario, a summary.

    Quiet prints only the summary; verbose adds every step with its request, response and
    failures. Colour follows rich (``NO_COLOR``, non-terminals get plain text).
    """

    def __init__(self, *, quiet: bool = False, verbose: bool = False, mock: bool = False) -> None:
        import threading

        self.mock = mock
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.progress: Any = None
        self.task: Any = None
        self.lock = threading.Lock()

    @property
    def out(self) -> Any:
        """The rich console, created on first use (``-q`` in CI never needs rich)."""
        from toolcheck.cli._console import console

        return console()

    def start(self, total: int, seed: int | None) -> None:
        if self.quiet:
            return
        if seed is not None:
            self.out.print(f"mock target, seed {seed}", style="dim")
        if self.out.is_terminal and not self.verbose:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("running"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=self.out, transient=True)
            self.task = self.progress.add_task("scenarios", total=total)
            self.progress.start()

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def case(self, suite_name: str, case: CaseResult) -> None:
        from toolcheck.cli._console import escape_line as escape

        icon = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]![/]", "skipped": "[yellow]-[/]"}[case.status]
        req, resp = case.details.request, case.details.response
        where = f" {req.method} {req.url}" if req else ""
        got = f" → {resp.status}" if resp else ""
        attempts = case.properties.get("attempts", "1")
        extra = f" ({attempts} attempts)" if attempts not in ("0", "1") else ""
        with self.lock:
            self.out.print(f"  {icon} {escape(suite_name)} › {escape(case.name)}{escape(where)}{got}{extra} "
                           f"[dim]{case.duration * 1000:.0f} ms[/]", soft_wrap=True)
            for note in case.details.notes or ():
                self.out.print(f"      [dim]note: {escape(str(note))}[/]", soft_wrap=True)
            if case.status == "skipped" and case.message:
                self.out.print(f"      [yellow]{escape(case.message)}[/]", soft_wrap=True)
            if case.status in ("failed", "error"):
                if case.details.location:
                    self.out.print(f"      [dim]at {escape(case.details.location)}[/]", soft_wrap=True)
                self._failure(case)

    def _failure(self, case: CaseResult) -> None:
        from toolcheck.cli._console import escape_line as escape

        self.out.print(f"      [red]{escape(case.message)}[/]", soft_wrap=True)
        details = case.details
        for v in (details.violations or ())[1:6]:
            self.out.print(f"      - {escape(v.message)}", soft_wrap=True)
        if details.has_expectation:
            import json

            from toolcheck.details import null

            exp = json.dumps(null(details.expected), ensure_ascii=False, default=str)[:300]
            act = json.dumps(null(details.actual), ensure_ascii=False, default=str)[:300]
            self.out.print(f"      expected: {escape(exp)}\n      actual:   {escape(act)}", soft_wrap=True)
        if self.verbose and details.curl:
            self.out.print(f"      [dim]{escape(details.curl)}[/]", soft_wrap=True)
            if self.mock:
                self.out.print("      [dim]note: --mock answered in-process; this curl reaches a server only if one "
                               "listens there (`toolcheck mock SPEC --port PORT`, or the real API)[/]", soft_wrap=True)

    def suite(self, suite: SuiteResult) -> None:
        with self.lock:
            if self.progress is not None:
                self.progress.advance(self.task)
            if self.quiet:
                return
            from toolcheck.cli._console import escape_line as escape

            failed = [c for c in suite.cases if c.status in ("failed", "error")]
            icon = "[red]✗[/]" if failed else "[green]✓[/]"
            steps = len(suite.cases)
            self.out.print(f"{icon} {escape(suite.name)} [dim]({steps} step{'s' if steps != 1 else ''}, "
                           f"{suite.duration:.2f} s)[/]", soft_wrap=True)
            if not self.verbose:
                for case in suite.cases:
                    if case.status in ("failed", "error"):
                        self.out.print(f"    [red]✗[/] {escape(case.name)}{self._where(case)}", soft_wrap=True)
                        self._failure(case)
                    elif failed and case.status == "skipped":
                        self.out.print(f"    [yellow]-[/] {escape(case.name)} [dim]{escape(case.message)}[/]",
                                       soft_wrap=True)

    @staticmethod
    def _where(case: CaseResult) -> str:
        """`` (file:line)`` of the step in its scenario file, to jump to from the log."""
        from rich.markup import escape

        location = case.details.location
        return f" [dim]({escape(str(location))})[/]" if location else ""

    def listing(self, units: list[Any]) -> None:
        """``--list``: every scenario run (data rows included) and its steps, nothing sent."""
        from toolcheck.cli._console import escape_line as escape

        steps = 0
        for unit in units:
            self.out.print(f"{escape(unit.label)} [dim]{escape(unit.scenario.file)}[/]", soft_wrap=True)
            for step in [*unit.scenario.steps, *unit.scenario.finally_steps]:
                target = step.operation or step.operation_path or f"workflow {step.workflow}"
                self.out.print(f"  {escape(step.id)} → {escape(str(target))}", soft_wrap=True)
                steps += 1
        self.out.print(f"{len(units)} scenario run(s), {steps} step(s)")

    def summary(self, result: Any, paths: dict[str, Path]) -> None:
        counts = {k: result.count(k) for k in ("passed", "failed", "error", "skipped")}
        line = (f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
                f"{counts['skipped']} skipped in {result.duration:.2f} s")
        if result.interrupted:
            line = "interrupted: " + line
        if self.quiet and not sys.stdout.isatty():
            sys.stdout.write(line + "\n")  # plain: one line for the CI log, no rich import
            return
        colour = "green" if result.ok else "red"
        self.out.print(f"[{colour}]{line}[/]", soft_wrap=True)
        if paths and not self.quiet:
            self.out.print("reports: " + ", ".join(str(p) for p in paths.values()), style="dim", soft_wrap=True)
