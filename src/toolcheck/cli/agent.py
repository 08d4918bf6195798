"""Agent-layer commands: `tools`, `lint`, `policy`, `init`, `serve-mcp`.

Thin: parse options, call :mod:`toolcheck.agent`, print, choose the exit code.
"""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import ALLOW_NETWORK, REF_ROOT, handle_errors, ref_roots

OPENAI_MAX_TOOLS = 128
SPEC_ARG = typer.Argument(..., help="Spec file, directory, '-' for stdin, git:REV:path, or URL.")


class ToolFormat(str, enum.Enum):
    openai = "openai"
    anthropic = "anthropic"
    mcp = "mcp"


@app.command()
def tools(
    spec: str = SPEC_ARG,
    fmt: ToolFormat = typer.Option(ToolFormat.openai, "--format", "-f", help="Provider format."),
    operation: list[str] = typer.Option([], "--operation", "-o", help="Only this operation (operationId or 'METHOD /path'); repeatable."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Only operations with this tag; repeatable."),
    strict: bool = typer.Option(False, "--strict", help="OpenAI strict mode (structured outputs subset)."),
    budget: int = typer.Option(0, "--description-budget", min=0, help="Max characters per tool description (default: 1024 for OpenAI, 4096 otherwise)."),
    notes: bool = typer.Option(False, "--notes", help="List every schema rewrite on stderr."),
    out: str = typer.Option("", "--out", help="Write to this file instead of stdout."),
    mapping_out: str = typer.Option("", "--mapping-out", help="Also write how each tool maps back to HTTP (JSON) to this file."),
    list_budget: int = typer.Option(50_000, "--list-budget", min=0, help="Tokens the whole list may take in an agent's context before toolcheck says what to trim (0: no check)."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Print the tool definitions an LLM sees for a spec (one per operation).

    The MCP format is the result of an MCP server's `tools/list`. Exit codes: 0 ok · 2 bad input.
    """
    from toolcheck.agent.tools import DESCRIPTION_BUDGETS, build_tools
    from toolcheck.cli._console import err_console
    from toolcheck.spec import load_spec

    with handle_errors():
        loaded = load_spec(spec, allow_network=allow_network, ref_roots=ref_roots(ref_root))
        built = build_tools(loaded, operations=operation, tags=tag, strict=strict and fmt is ToolFormat.openai,
                            description_budget=budget or DESCRIPTION_BUDGETS[fmt.value],
                            defs=fmt is ToolFormat.mcp, outputs=fmt is ToolFormat.mcp)
        rendered = [t.render(fmt.value) for t in built]
        payload: object = {"tools": rendered} if fmt is ToolFormat.mcp else rendered
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        from toolcheck.agent._files import write_atomic

        if mapping_out:
            write_atomic(mapping_out, json.dumps({t.name: t.mapping() for t in built}, indent=2) + "\n")
        if out:
            write_atomic(out, text)
        else:
            sys.stdout.write(text)
    from toolcheck.agent._annotations import summarise
    from toolcheck.agent.budget import budget_guidance

    err = err_console()
    rewritten = [t for t in built if t.notes]
    line = f"{len(built)} tool(s) in {fmt.value} format"
    if strict and fmt is ToolFormat.openai:
        line += f", {sum(1 for t in built if t.strict)} strict"
    if rewritten:
        line += f"; {len(rewritten)} with schema rewrites" + ("" if notes else " (--notes to list them)")
    err.print(line, highlight=False, markup=False)
    if strict and fmt is not ToolFormat.openai:
        err.print("note: --strict is OpenAI's structured-outputs mode; ignored for this format",
                  highlight=False, markup=False)
    if fmt is ToolFormat.openai and len(built) > OPENAI_MAX_TOOLS:
        err.print(f"note: OpenAI accepts at most {OPENAI_MAX_TOOLS} tools per request; choose a subset with --tag or "
                  "--operation", highlight=False, markup=False)
    kinds: dict[str, int] = {}
    for t in built:
        kind = summarise(t.annotations)
        kinds[kind] = kinds.get(kind, 0) + 1
    err.print("annotations: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())), highlight=False,
              markup=False, soft_wrap=True)
    for t in built:
        if t.annotations.get("destructiveHint") and not t.annotations.get("readOnlyHint"):
            err.print(f"  destructive: {t.name} ({t.operation.key})", highlight=False, markup=False, soft_wrap=True)
    if fmt is ToolFormat.mcp:
        with_output = sum(1 for t in built if t.output is not None)
        err.print(f"{with_output}/{len(built)} tool(s) with an outputSchema", highlight=False, markup=False)
    total = len(text) // 4
    if list_budget and total > list_budget:
        for line in budget_guidance(built, fmt.value, total, list_budget):
            err.print(line, highlight=False, markup=False, soft_wrap=True)
    if notes:
        for t in rewritten:
            for n in t.notes:
                err.print(f"  {t.name}: {n}", highlight=False, markup=False, soft_wrap=True)


class LintFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    warn = "warn"  # the older spelling of warning, read as it (toolcheck.findings.parse_level)
    never = "never"


@app.command()
def lint(
    spec: str = SPEC_ARG,
    fmt: LintFormat = typer.Option(LintFormat.text, "--format", "-f", help="Output format (sarif: GitHub code scanning)."),
    config: str = typer.Option("", "--config", "-c", help="Config file (default: .toolcheck.yaml or toolcheck.toml here)."),
    rule: list[str] = typer.Option([], "--rule", "-r", help="Run only this rule; repeatable."),
    fail_on: FailOn = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above this severity (default: error, or lint.fail-on)."),
    out: str = typer.Option("", "--out", help="Write the report to this file instead of stdout."),
    max_findings: int = typer.Option(200, "--max-findings", help="How many findings to list in text output."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Check that a spec makes good agent tools: names, descriptions, errors, auth, pagination, size.

    Exit codes: 0 no finding at the --fail-on level · 1 findings · 2 bad input or config.
    """
    from toolcheck.agent._config import load_config, section
    from toolcheck.agent.lint import lint as run_lint
    from toolcheck.spec import load_spec

    with handle_errors():
        cfg, source = load_config(config or None)
        lint_cfg = section(cfg, "lint", source)
        level = fail_on.value if fail_on is not None else str(lint_cfg.get("fail-on", lint_cfg.get("fail_on", "error")))
        threshold = None  # --fail-on never
        if level != "never":
            from toolcheck.errors import UsageError
            from toolcheck.findings import parse_level

            try:  # older spellings (warn, note) are read as the shared words
                parsed = parse_level(level)
            except ValueError:
                parsed = None
            if parsed is None:
                raise UsageError(f"lint.fail-on must be error, warning, info or never (got {level!r})", location=source)
            threshold = parsed
        loaded = load_spec(spec, allow_network=allow_network, ref_roots=ref_roots(ref_root))
        result = run_lint(loaded, rules=section(lint_cfg, "rules", source), select=rule or None, config_source=source)
        if fmt is LintFormat.text and not out:
            _print_lint(result, max_findings)
        else:
            if fmt is LintFormat.sarif:
                from toolcheck.agent.sarif import to_sarif

                text = json.dumps(to_sarif(result), indent=2) + "\n"
            elif fmt is LintFormat.json:
                text = json.dumps(result.to_dict(), indent=2) + "\n"
            else:
                text = "".join(f"{f.severity} {f.rule} {f.location}: {f.message}\n" for f in result.findings)
            if out:
                from toolcheck.agent._files import write_atomic

                write_atomic(out, text)
            else:
                sys.stdout.write(text)
    raise typer.Exit(1 if result.failed(threshold) else 0)


def _print_lint(result: object, max_findings: int) -> None:
    from rich.markup import escape

    from toolcheck.agent.lint import LintResult
    from toolcheck.cli._console import console
    from toolcheck.findings import Severity

    assert isinstance(result, LintResult)
    out = console()
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    for f in result.findings[:max_findings]:
        out.print(f"[{colours[f.severity]}]{f.severity:7}[/] [bold]{f.rule}[/] {escape(f.location)}: {escape(f.message)}",
                  soft_wrap=True)
        out.print(f"         [dim]fix: {escape(f.hint)}[/]", soft_wrap=True)
    hidden = len(result.findings) - max_findings
    if hidden > 0:
        out.print(f"... and {hidden} more (use --format json or sarif for all)")
    counts = ", ".join(f"{result.count(s)} {s}" for s in Severity)
    out.print(f"{len(result.findings)} finding(s): {counts}")


@app.command("serve-mcp")
def serve_mcp(
    spec: str = SPEC_ARG,
    operation: list[str] = typer.Option([], "--operation", "-o", help="Only this operation; repeatable."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Only operations with this tag; repeatable."),
    seed: int = typer.Option(0, "--seed", help="Seed of the mock's generated data and faults."),
    faults: str = typer.Option("", "--faults", help="Mock fault injection, e.g. error_rate=0.1,latency=50ms,timeout_rate=0.01."),
    stateless: bool = typer.Option(False, "--stateless", help="Do not keep created resources in the mock."),
    target: str = typer.Option("", "--target", help="Send tool calls to this base URL instead of the mock."),
    credential: list[str] = typer.Option([], "--credential", help="SCHEME=VALUE for a security scheme (token, API key, user:password); repeatable. Default: $TOOLCHECK_<SCHEME>."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for each HTTP answer."),
    http: str = typer.Option("", "--http", help="Serve over Streamable HTTP at HOST:PORT (path /mcp) instead of stdio; loopback unless you name another host."),
    allow_origin: list[str] = typer.Option([], "--allow-origin", help="With --target: also send the calls of operations whose own `servers` are on this origin (scheme://host[:port]) there, with their credentials; repeatable. Without it they are refused."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Serve the spec's tools over MCP (stdio, or Streamable HTTP with --http), backed by the
    mock (state, faults) or --target.

    Point an MCP client at `toolcheck serve-mcp SPEC`; stdout carries the protocol, so
    everything else goes to stderr. With --http HOST:PORT the endpoint is http://HOST:PORT/mcp
    (e.g. --http 127.0.0.1:8765); it needs the optional `mcp` SDK (the `mcp` extra of toolcheck,
    or pip install mcp), which stdio needs only for clients of the 2026-07-28 protocol revision.
    """
    import anyio
    import httpx

    from toolcheck import __version__
    from toolcheck.agent.mcp_server import ToolBridge, require_mcp
    from toolcheck.agent.tools import build_tools
    from toolcheck.errors import UsageError
    from toolcheck.spec import load_spec

    with handle_errors():
        if http:
            require_mcp()  # stdio answers without the SDK (toolcheck.agent.mcp_stdio)
        creds: dict[str, str] = {}
        for item in credential:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise UsageError(f"--credential {item!r} must be SCHEME=VALUE")
            creds[name] = value
        loaded = load_spec(spec, allow_network=allow_network, ref_roots=ref_roots(ref_root))
        import os
        import re

        for scheme_name in loaded.security_schemes:
            # Same variable names as the scenarios `toolcheck init` writes (TOOLCHECK_<SCHEME>).
            env_value = os.environ.get(re.sub(r"[^A-Z0-9]+", "_", f"TOOLCHECK_{scheme_name}".upper()))
            if env_value and scheme_name not in creds:
                creds[scheme_name] = env_value
        unknown = sorted(set(creds) - set(loaded.security_schemes))
        if unknown:
            raise UsageError(f"no security scheme {', '.join(unknown)} in the spec "
                             f"(schemes: {', '.join(sorted(loaded.security_schemes)) or 'none'})")
        built = build_tools(loaded, operations=operation, tags=tag, defs=True, outputs=True)
        if target:
            if not target.startswith(("http://", "https://")):
                raise UsageError(f"--target {target!r} must be an http(s) URL")
            client = httpx.AsyncClient(base_url=target, timeout=timeout)
            if not creds and any(op.security for op in (t.operation for t in built)):
                from toolcheck.cli._console import err_console

                err_console().print("note: no --credential given; calls to secured operations go without credentials",
                                    highlight=False, markup=False)
        else:
            from toolcheck.agent.mcp_server import LazyTransport
            from toolcheck.mock.faults import FaultConfig

            fault_config = FaultConfig.parse(faults) if faults else None

            def mock_transport() -> httpx.AsyncBaseTransport:
                from toolcheck.mock import MockTransport

                return MockTransport(loaded, seed=seed, stateful=not stateless, faults=fault_config)

            # The mock (and its checks' regex engines) is imported at the first call, not before
            # `initialize` is answered.
            client = httpx.AsyncClient(transport=LazyTransport(mock_transport), base_url="http://mock", timeout=timeout)
        from urllib.parse import urlsplit

        for item in allow_origin:
            parts = urlsplit(item)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
                    or parts.query or parts.fragment or parts.username is not None:
                raise UsageError(f"--allow-origin {item!r} must be an origin: scheme://host[:port], e.g. https://files.example.com")
        if target:
            _note_other_origins(loaded, built, target, allow_origin)
        bridge = ToolBridge(loaded, built, client, creds, placeholders=not target, timeout=timeout,
                            mock=not target, allowed_origins=allow_origin)
        if http:
            from toolcheck.agent.mcp_server import LOOPBACK, parse_listen, serve_http
            from toolcheck.cli._console import err_console

            host, port = parse_listen(http)
            err = err_console()
            if host not in LOOPBACK:
                err.print(f"warning: serving tools on {host}, reachable beyond this machine; anyone who can "
                          "connect can call them", highlight=False, markup=False)

            def ready(url: str) -> None:
                err.print(f"serving {len(built)} tool(s) over MCP Streamable HTTP at {url}", highlight=False,
                          markup=False)

            anyio.run(lambda: serve_http(bridge, host, port, version=__version__, on_ready=ready))
            return
        from toolcheck.agent.mcp_stdio import serve_stdio

        anyio.run(lambda: serve_stdio(bridge, version=__version__))


def _note_other_origins(spec: Any, tools: Any, target: str, allowed: list[str]) -> None:
    """Say on stderr which tools name a server on another origin than --target and are refused."""
    from toolcheck.agent._servers import operation_base
    from toolcheck.cli._console import err_console
    from toolcheck.wire import OriginError

    refused = []
    for tool in tools:
        try:
            operation_base(spec, tool.operation, target, allowed_origins=allowed)
        except OriginError as exc:
            refused.append((tool.name, exc.message))
    if refused:
        names = ", ".join(name for name, _ in refused[:10]) + (" ..." if len(refused) > 10 else "")
        err_console().print(f"note: {len(refused)} tool(s) call a server on another origin than --target and will be "
                            f"refused: {names}. {refused[0][1]}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def policy(
    spec: str = SPEC_ARG,
    scenarios: list[str] = typer.Option([], "--scenarios", "-s", help="Scenario files or directories (repeatable)."),
    fuzz_report: str = typer.Option("", "--fuzz-report", help="A fuzz report.json whose suites count as coverage."),
    run_report: str = typer.Option("", "--run-report", help="The report.json of `toolcheck run` over these scenarios: only steps that passed count."),
    config: str = typer.Option("", "--config", "-c", help="Config file (default: .toolcheck.yaml or toolcheck.toml here)."),
    require: list[str] = typer.Option([], "--require", help="Only enforce these: schema, auth-failure, long-running, high-risk."),
    fmt: str = typer.Option("text", "--format", "-f", help="Terminal output: text or json."),
    reports: str = typer.Option("", "--reports", help="Also write reports (HTML, JSON, JUnit) to this directory."),
    report_format: str = typer.Option("html,json,junit", "--report-format", help="Report formats with --reports."),
    gaps_only: bool = typer.Option(False, "--gaps-only", help="In the terminal table, show only operations with a gap."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Coverage matrix of the agent-tool CI policy per operation; exit 1 below the policy.

    Every tool: a schema-checked call · every write: an auth-failure test · every long-running
    operation: a bounded poll or timeout+retry · every high-risk operation: a negative test.
    Exit codes: 0 policy met · 1 gaps · 2 bad input.
    """
    import time
    from datetime import datetime, timezone

    from toolcheck.agent._config import load_config, section
    from toolcheck.agent.policy import evaluate
    from toolcheck.errors import UsageError
    from toolcheck.scenarios import load_paths
    from toolcheck.spec import load_spec

    started = time.monotonic()
    with handle_errors():
        if fmt not in ("text", "json"):
            raise UsageError(f"--format must be text or json (got {fmt!r})")
        cfg, source = load_config(config or None)
        policy_cfg = dict(section(cfg, "policy", source))
        if require:
            policy_cfg["require"] = [r for item in require for r in item.split(",") if r]
        if not scenarios and not fuzz_report:
            raise UsageError("give the tests to measure: --scenarios DIR and/or --fuzz-report FILE")
        loaded = load_spec(spec, allow_network=allow_network, ref_roots=ref_roots(ref_root))
        found = load_paths(scenarios) if scenarios else []
        fuzz = None
        if fuzz_report:
            from toolcheck.report import load_json_report

            fuzz = load_json_report(fuzz_report)
        ran = None
        if run_report:
            from toolcheck.report import load_json_report

            ran = load_json_report(run_report)
        result = evaluate(loaded, found, fuzz=fuzz, run=ran, config=policy_cfg, source=source)
        if reports:
            from toolcheck.report import write_reports

            run = result.to_run_result(command_line="toolcheck " + " ".join(sys.argv[1:]),
                                       started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                       duration=time.monotonic() - started)
            write_reports(run, reports, report_format.split(","))
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        _print_policy(result, gaps_only)
    raise typer.Exit(0 if result.ok else 1)


def _print_policy(result: object, gaps_only: bool = False) -> None:
    from rich.markup import escape
    from rich.table import Table

    from toolcheck.agent.policy import COVERED, MISSING, REQUIREMENTS, PolicyResult
    from toolcheck.cli._console import console

    assert isinstance(result, PolicyResult)
    out = console()
    table = Table(title=f"Agent tool policy — {escape(result.spec)}", title_justify="left")
    # an operationId is never folded (CI logs are searched for it); the requirement headers fold instead
    longest = max((len(row.operation.operation_id) for row in result.rows), default=10)
    table.add_column("operation", overflow="fold", min_width=min(40, longest))
    for req in REQUIREMENTS:
        table.add_column(req + ("" if req in result.required else " (not required)"), justify="center",
                         overflow="fold")
    marks = {COVERED: "[green]✓[/]", MISSING: "[red]✗[/]"}  # five columns fit 80: the gaps are listed below
    for row in result.rows:
        if gaps_only and not row.missing(result.required):
            continue
        cells = []
        for req in REQUIREMENTS:
            cell = row.cells[req]
            mark = marks.get(cell.status, "[dim]–[/]")
            if cell.status == MISSING and req not in result.required:
                mark = "[yellow]✗[/]"
            cells.append(mark)
        table.add_row(escape(f"{row.operation.operation_id}  {row.operation.key}"), *cells)
    out.print(table)
    totals = result.totals()
    out.print("  ".join(f"{req}: {t[COVERED]}/{t[COVERED] + t[MISSING]}" for req, t in totals.items()))
    for note in result.notes:
        out.print(f"note: {escape(note)}", soft_wrap=True)
    if result.ok:
        out.print(f"[green]policy met[/] ({result.scenarios} scenario file(s))")
        return
    out.print(f"[red]policy not met[/]: {len(result.gaps)} gap(s)")
    from toolcheck.agent.policy import _HINTS

    for op, req in result.gaps:
        cell = next(r for r in result.rows if r.operation is op).cells[req]
        out.print(f"  [red]✗[/] {escape(op.operation_id)} ({escape(op.key)}): {req} — {escape(cell.why)}; "
                  f"{escape(_HINTS[req])}", soft_wrap=True)


@app.command()
def init(
    spec: str = SPEC_ARG,
    out: str = typer.Option("scenarios", "--out", help="Directory for the scenario files."),
    operation: list[str] = typer.Option([], "--operation", "-o", help="Only this operation; repeatable."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Only operations with this tag; repeatable."),
    seed: int = typer.Option(0, "--seed", help="Seed of the generated request values."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing scenario files."),
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Scaffold scenario files that satisfy the agent-tool policy and run green against --mock.

    One file per tag: creators first (ids become outputs), reads, updates, deletes; an
    auth-failure step per write, a poll per long-running job, a negative step per high-risk tool.
    """
    from toolcheck.agent.init import scaffold, write_scaffold
    from toolcheck.agent.tools import select_operations
    from toolcheck.cli._console import console
    from toolcheck.spec import load_spec

    with handle_errors():
        loaded = load_spec(spec, ref_roots=ref_roots(ref_root))
        chosen = select_operations(loaded, operation, tag)
        notes: list[str] = []
        documents = scaffold(loaded, out, spec_path=loaded.source if spec != "-" else None, seed=seed,
                             operations=chosen, notes=notes)
        written = write_scaffold(documents, out, force=force)
    cons = console()
    if not documents:
        cons.print("nothing to scaffold: no operations selected (webhooks are not tools an agent calls)",
                   highlight=False, markup=False)
        return
    for path in written:
        cons.print(f"wrote {path}", highlight=False, markup=False)
    for note in notes:
        cons.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    kept = len(documents) - len(written)
    if kept:
        cons.print(f"kept {kept} existing file(s) (use --force to overwrite)", highlight=False, markup=False)
    cons.print(f"next: toolcheck run {out} --mock && toolcheck policy {spec} --scenarios {out}",
               highlight=False, markup=False)
