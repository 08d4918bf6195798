"""Run one step: render values, send (with network retries or polling), check, capture outputs.

The engine talks HTTP only through an injected :class:`httpx.Client` (a real socket, the
in-process mock transport, or a test's ``httpx.MockTransport``), so every feature is testable
without a server. Each response — every poll attempt included — is checked against the spec
with :func:`toolcheck.checks.conformance.check_response`; then the step's ``expect`` and (for
Arazzo) its ``successCriteria``. Everything that reaches a result is redacted first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import orjson

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import check_response, is_json, media_type_of
from toolcheck.checks.registry import RUN, register
from toolcheck.details import Attempt, Details, Request, Response
from toolcheck.findings import Finding, Severity, parse_level
from toolcheck.redact import Redactor
from toolcheck.scenarios import _http
from toolcheck.scenarios._jsonpath import jsonpath_values, set_deadline
from toolcheck.scenarios.assertions import (
    Failure,
    check_operators,
    check_status,
    check_transition,
    evaluate_criterion,
)
from toolcheck.scenarios.expressions import (
    Context,
    condition_values,
    evaluate,
    evaluate_condition,
    render,
)
from toolcheck.scenarios.health import SENT
from toolcheck.scenarios.model import Criterion, Poll, Scenario, Step
from toolcheck.spec import Operation, Spec
from toolcheck.wire import OriginError, join_url, secrets_of

MAX_REPORTED_BODY = 64 * 1024


@dataclass
class Target:
    """Where one source's requests go: its spec, an httpx client and the base URL."""

    spec: Spec
    client: httpx.Client
    base_url: str


register("secret_leak", Severity.ERROR, "No response carries a known secret", commands=(RUN,), description="""
         Every credential given to the run (`--auth`, `auth:` values) and every output marked `secret` is
         looked for in each response's body and headers. `--leak-check` sets its level like
         `--severity secret_leak=...`.""",
         hint="server: a credential (or a value marked secret) came back in a response; an agent's "
              "transcript and logs now hold it.")


@dataclass
class Settings:
    """Run-wide knobs: contract level (``--contract``), default timeout, leak check, per-check levels.

    ``contract`` and ``leak_check`` are error, warning or off (``warn`` is still read); ``severity``
    holds ``--severity CHECK=...`` choices (None: off), which win over both.
    """

    contract: str = "error"
    timeout: float = 30.0
    leak_check: str = "error"
    # --mock: satisfy security with the wire's placeholder when no credential is given (any value
    # but None turns it on; the placeholder itself comes from toolcheck.wire.auth)
    placeholder_credential: str | None = None
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # --auth-profile NAME:SCHEME=VALUE
    severity: dict[str, Severity | None] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # run -H NAME:VALUE, under each step's own
    credential_headers: frozenset[str] = frozenset()  # of those, lower-cased names that carry credentials

    def __post_init__(self) -> None:
        # Callers of the Python API may still pass the spelled levels ("warn", "off").
        self.severity = {name: parse_level(level) if isinstance(level, str) else level
                         for name, level in self.severity.items()}

    def level(self, check: str) -> Severity | None:
        """How much ``check`` counts in this run (None: off)."""
        if check in self.severity:
            return self.severity[check]
        return parse_level(self.leak_check if check == "secret_leak" else self.contract)


def add_run_headers(headers: dict[str, str], settings: Settings, mode: Any) -> None:
    """``run -H`` headers, where the step and its auth did not set the same name; a credential
    header stays off the steps that test what happens without one (``auth: none|invalid``) and
    off the steps that call as a named identity (``auth: {profile: ...}``: its credentials alone)."""
    present = {k.lower() for k in headers}
    for name, value in settings.headers.items():
        if name.lower() in present or (mode in ("none", "invalid", "identity") and name.lower() in settings.credential_headers):
            continue
        headers[name] = value


@dataclass
class Outcome:
    """What one step execution produced, before it becomes a CaseResult."""

    status: str  # passed | failed | error | skipped
    message: str = ""
    details: Details = field(default_factory=Details)
    attempts: int = 0
    unreachable: bool = False
    response: dict[str, Any] | None = None


class Unreachable(Exception):
    """The target did not answer (connection refused, DNS, TLS) after the network retries.

    ``attempts``: the poll attempts that were answered before it went away (the report keeps them).
    """

    attempts: tuple[Attempt, ...] = ()


def _decode_body(response: httpx.Response) -> Any:
    raw = response.content
    if not raw:
        return None
    media = media_type_of(response.headers.get("content-type"))
    if is_json(media):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    if b"\x00" in raw[:1024] and not media.startswith("text/"):
        return f"<{len(raw)} bytes of {media or 'binary data'}>"
    return raw.decode(response.encoding or "utf-8", "replace")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class StepExecutor:
    """Executes steps of one scenario run against its targets, sharing one context."""

    def __init__(self, scenario: Scenario, targets: dict[str, Target], ctx: Context, redactor: Redactor,
                 settings: Settings, credentials: dict[str, Any]) -> None:
        self.scenario = scenario
        self.targets = targets
        self.ctx = ctx
        self.redactor = redactor
        self.settings = settings
        self.credentials = credentials
        self.deadline: float | None = None  # the scenario's wall-clock budget (time.monotonic)
        self.stop: threading.Event = threading.Event()  # the run is being stopped: end polls now
        self.step_deadline = float("inf")  # time.monotonic() bound of the running step's whole work

    # -- resolution ---------------------------------------------------------------------
    def target_for(self, step: Step) -> Target:
        if step.source is not None and step.source in self.targets:
            return self.targets[step.source]
        if len(self.targets) > 1 and step.operation:
            for target in self.targets.values():
                try:
                    _http.find_operation(target.spec, step.operation)
                    return target
                except KeyError:
                    continue
        return next(iter(self.targets.values()))

    def operation_for(self, step: Step, target: Target) -> Operation:
        if step.operation_path:
            parts = step.operation_path.split("#", 1)[-1].lstrip("/").split("/")
            if len(parts) >= 3 and parts[0] == "paths":
                path = parts[1].replace("~1", "/").replace("~0", "~")
                return target.spec.operation(f"{parts[2].upper()} {path}")
            if len(parts) == 2 and parts[0] == "paths":
                path = parts[1].replace("~1", "/").replace("~0", "~")
                ops = [op for op in target.spec.operations if op.path == path]
                if ops:
                    return ops[0]
            raise KeyError(f"operationPath {step.operation_path!r} names no operation")
        assert step.operation is not None
        return _http.find_operation(target.spec, step.operation)

    # -- one step -----------------------------------------------------------------------
    def run(self, step: Step) -> Outcome:
        ci = self.scenario.case_insensitive
        self.ctx.request = None
        self.ctx.response = None
        if step.condition and not all(evaluate_condition(c, self.ctx, case_insensitive=ci) for c in step.condition):
            return Outcome("skipped", f"skipped: `if` is false ({' && '.join(step.condition)})")
        target = self.target_for(step)
        op = self.operation_for(step, target)
        params: list[tuple[str, str | None, Any]] = []
        for p in self.scenario.parameters:  # Arazzo workflow-level: only where the operation has them
            if p.location in ("header", "cookie") or op.parameter(p.name, p.location) is not None:
                params.append((p.name, p.location, render(p.value, self.ctx)))
        params += [(p.name, p.location, render(p.value, self.ctx)) for p in step.params]
        body = render(step.body, self.ctx, prune=True) if step.body is not ABSENT else ABSENT
        for pointer, value in step.replacements:
            body = _http.replace_at(body, pointer, render(value, self.ctx))
        prepared = _http.build(target.spec, op, params, body, step.content_type)
        missing = _http.missing_path_params(prepared, op)
        credentials = {k: render(v, self.ctx) for k, v in self.credentials.items()}
        mode = _render_auth(step.auth, self.ctx)
        identity = _http.is_identity(mode, target.spec)
        if identity:  # `auth: {scopes: [...]}` / `{profile: reader}`: these credentials alone
            credentials, problem = _http.identity_credentials(target.spec, op, mode, self.settings.profiles,
                                                              mock=self.settings.placeholder_credential is not None)
            if problem is not None and problem.startswith(_http.SKIPPED_PREFIX):
                return self._finish(Outcome("skipped", problem, Details(operation=op.operation_id)))
            if problem is not None:
                return self._finish(Outcome("error", f"{op.key}: {problem}", Details(operation=op.operation_id)))
            mode = "default"
        for value in (*credentials.values(), *(mode.values() if isinstance(mode, dict) else ())):
            self._register_secret(value)
        for secret in secrets_of(target.spec, {**credentials, **(mode if isinstance(mode, dict) else {})}):
            self.redactor.add(secret, label="auth")  # encodings too: base64(user:password) of Basic
        auth_note = _http.apply_auth(prepared, target.spec, op, mode, credentials,
                                     placeholder=not identity and self.settings.placeholder_credential is not None)
        sent = prepared.headers.get("Authorization", "")
        if mode != "invalid" and sent[:6].lower() == "basic ":  # and the decoded user:pass (Redactor.add)
            self._register_secret(sent)
        add_run_headers(prepared.headers, self.settings, "identity" if identity else mode)
        if prepared.cookies:
            prepared.headers = prepared.all_headers()
            prepared.cookies = {}
        try:
            url = join_url(target.base_url, prepared.path)
        except OriginError as exc:
            return self._finish(Outcome("error", f"{op.key}: {exc}", Details(operation=op.operation_id)))
        self.ctx.request = {
            "method": prepared.method, "url": url, "body": prepared.body,
            "path": prepared.path_params,
            "query": prepared.query_params, "headers": {k.lower(): v for k, v in prepared.headers.items()},
        }
        credentials_sent = mode not in ("none", "invalid") and bool(prepared.auth_schemes)
        expects_refusal: bool | None = None
        if credentials_sent:
            wanted = step.expect.get("status") if isinstance(step.expect, dict) else None
            if wanted is not None and (check_status(wanted, 401) is None or check_status(wanted, 403) is None):
                expects_refusal = True
        notes = [auth_note] if auth_note else []
        if prepared.undocumented:
            notes.append(f"{op.operation_id} declares no parameter {', '.join(map(repr, prepared.undocumented))}; "
                         "sent in the query anyway")
        details = Details(
            operation=op.operation_id,
            request=self._request_details(prepared, url),
            curl=self.redactor.redact_text(_http.curl(prepared, target.base_url, self.redactor)),
            credentials=SENT if credentials_sent else None,  # for the run's credential health (scenarios.health)
            expects_refusal=expects_refusal,
            notes=tuple(notes) or None,
        )
        if missing:
            return self._finish(Outcome("failed", f"cannot call {op.key}: path parameter(s) {', '.join(missing)} "
                                        "have no value (an output of an earlier step missing?)", details))
        timeout = step.timeout or self.settings.timeout
        # The step's timeout bounds its whole work: every try of a retry, and the checks after the
        # response (JSONPath stops at the deadline; regexes are linear). A poll adds its max_time.
        self.step_deadline = time.monotonic() + timeout + (step.poll.max_time if step.poll else 0.0)
        if self.deadline is not None:
            self.step_deadline = min(self.step_deadline, self.deadline)
        set_deadline(self.step_deadline)
        try:
            if step.poll is not None:
                outcome = self._poll(step, step.poll, target, op, prepared, url, timeout, details)
            else:
                outcome = self._once(step, target, op, prepared, url, timeout, details)
        except Unreachable as exc:
            details = replace(details, attempts=exc.attempts or details.attempts)
            if self.stop.is_set():
                # Ctrl-C/SIGTERM closed the connection under this request: not the target's fault.
                return self._finish(Outcome("failed", f"the run was interrupted while the request was in flight ({exc})", details))
            details = replace(details, hint="Is the server running? Check --base-url (or use --mock).")
            return self._finish(Outcome("error", f"target unreachable: {exc}", details, unreachable=True))
        finally:
            set_deadline(None)
        return self._finish(outcome)

    def _register_secret(self, value: Any) -> None:
        """Every credential is a secret, whatever its name or origin (auth tokens, --auth)."""
        if isinstance(value, dict):
            for v in value.values():
                self._register_secret(v)
        elif value not in (None, ABSENT, "") and not isinstance(value, bool):
            self.redactor.add(str(value), label="auth")

    def _finish(self, outcome: Outcome) -> Outcome:
        outcome.message = self.redactor.redact_text(outcome.message)
        return outcome

    def _full_url(self, url: str, prepared: _http.Prepared) -> str:
        """The URL with its query string (selectors of AWS-style keys first); ``url`` has the
        base already checked by :func:`join_url`, so the query cannot move the origin."""
        target = prepared.target()
        return url + target[len(prepared.path):]

    def _request_details(self, prepared: _http.Prepared, url: str) -> Request:
        body: Any = None
        if prepared.content is not None:
            body = prepared.body if prepared.body is not ABSENT else prepared.content.decode("utf-8", "replace")
        return Request(
            method=prepared.method,
            url=self.redactor.redact_url(self._full_url(url, prepared)),
            headers=self.redactor.redact_headers(dict(prepared.headers)),
            body=self.redactor.redact_value(body),
        )

    # -- sending ------------------------------------------------------------------------
    def _send(self, step: Step, target: Target, prepared: _http.Prepared, url: str,
              timeout: float) -> tuple[httpx.Response | None, float, str | None, int]:
        """One request with network retries: (response, elapsed ms, timeout message, tries)."""
        tries = step.retry.max_attempts if step.retry else 1
        interval = step.retry.interval if step.retry else 0.0
        last: Exception | None = None
        for n in range(1, tries + 1):
            start = time.perf_counter()
            left = self.step_deadline - time.monotonic()
            if n > 1 and left <= 0:
                return None, 0.0, f"no response within the step's {timeout:g} s (after {n - 1} tries)", n - 1
            try:
                response = target.client.request(
                    prepared.method, self._full_url(url, prepared), headers=prepared.headers,
                    auth=prepared.auth if prepared.auth is not None else httpx.USE_CLIENT_DEFAULT,
                    content=prepared.content, timeout=timeout if n == 1 else max(min(timeout, left), 0.001),
                )
                return response, (time.perf_counter() - start) * 1000, None, n
            except httpx.TimeoutException as exc:
                last = exc
                if n == tries:
                    return None, (time.perf_counter() - start) * 1000, f"no response within {timeout:g} s", n
            except (httpx.TransportError, OSError) as exc:
                last = exc
            if n < tries and self.stop.wait(interval):
                break
        raise Unreachable(f"{type(last).__name__}: {last}" if last else "no response")

    def _respond(self, response: httpx.Response, elapsed: float) -> dict[str, Any]:
        data = {"status": response.status_code, "headers": {k.lower(): v for k, v in response.headers.items()},
                "body": _decode_body(response), "elapsed_ms": elapsed, "raw": response.content}
        self.ctx.response = data
        return data

    def _response_details(self, resp: dict[str, Any]) -> Response:
        body = resp["body"]
        if len(resp["raw"]) > MAX_REPORTED_BODY:  # keep reports small: the head of a huge body
            head = resp["raw"][:MAX_REPORTED_BODY].decode("utf-8", "replace")
            body = f"{head}... ({len(resp['raw'])} bytes in all)"
        return Response(status=resp["status"], headers=self.redactor.redact_headers(dict(resp["headers"])),
                        body=self.redactor.redact_value(body), elapsed_ms=round(resp["elapsed_ms"], 3))

    def _once(self, step: Step, target: Target, op: Operation, prepared: _http.Prepared, url: str,
              timeout: float, details: Details) -> Outcome:
        response, elapsed, timed_out, tries = self._send(step, target, prepared, url, timeout)
        attempts = [Attempt(i, note="network error") for i in range(1, tries)]
        if response is None:
            return Outcome("failed", f"{op.key}: {timed_out}", replace(details, attempts=tuple(attempts) or None),
                           attempts=tries)
        resp = self._respond(response, elapsed)
        if tries > 1:
            attempts.append(Attempt(tries, resp["status"], round(elapsed, 3), "answered"))
        details = replace(details, attempts=tuple(attempts) or None)
        violations = self._contract(target.spec, op, resp)
        return self._judge(step, target, op, resp, details, violations, [], tries)

    def _poll(self, step: Step, poll: Poll, target: Target, op: Operation, prepared: _http.Prepared, url: str,
              timeout: float, details: Details) -> Outcome:
        ci = self.scenario.case_insensitive
        started = time.monotonic()
        interval = poll.interval
        attempts: list[Attempt] = []
        violations: list[Finding] = []
        extra: list[Failure] = []
        previous_state: Any = ABSENT
        resp: dict[str, Any] | None = None
        for n in range(1, poll.max_attempts + 1):
            try:
                response, elapsed, timed_out, _ = self._send(step, target, prepared, url, timeout)
            except Unreachable as exc:
                exc.attempts = tuple(attempts)
                raise
            if response is None:
                attempts.append(Attempt(n, None, round(elapsed, 3), timed_out or ""))
                return Outcome("failed", f"{op.key}: attempt {n}: {timed_out}", replace(details, attempts=tuple(attempts)),
                               attempts=n)
            resp = self._respond(response, elapsed)
            for v in self._contract(target.spec, op, resp):
                if v not in violations:
                    violations.append(replace(v, message=f"attempt {n}: {v.message}") if n > 1 else v)
            state = evaluate(poll.state, self.ctx)
            note = "" if state is ABSENT else f"state={state}"
            transition_error = check_transition(poll.transitions, previous_state, state)
            if transition_error:
                extra.append(Failure("poll", poll.state, "transitions", poll.transitions, state, transition_error))
            previous_state = state if state is not ABSENT else previous_state
            attempts.append(Attempt(n, resp["status"], round(elapsed, 3), note))
            if transition_error:
                break
            failed_if = [c for c in poll.fail_if if evaluate_condition(c, self.ctx, case_insensitive=ci)]
            if failed_if:
                attempts[-1] = replace(attempts[-1], note=(note + "; " if note else "") + "fail_if held")
                extra.append(Failure("poll", "fail_if", "fail_if", failed_if[0], state,
                                     f"poll stopped at attempt {n}: fail_if `{failed_if[0]}` held" + (f" ({note})" if note else "")))
                break
            if all(evaluate_condition(c, self.ctx, case_insensitive=ci) for c in poll.until):
                attempts[-1] = replace(attempts[-1], note=(note + "; " if note else "") + "until held")
                break
            wait = interval
            ra = _retry_after(resp["headers"]) if poll.retry_after else None
            if ra is not None:
                wait = max(wait, min(ra, poll.max_interval))
                attempts[-1] = replace(attempts[-1], retry_after=ra)
            spent = time.monotonic() - started
            # A wait that would overrun a budget is cut to it: the last attempt lands on the deadline.
            budget = poll.max_time - spent
            if self.deadline is not None:
                budget = min(budget, self.deadline - time.monotonic())
            wait = min(wait, max(budget, 0.0))
            if n == poll.max_attempts or budget <= 0:
                scenario_cut = self.deadline is not None and self.deadline - time.monotonic() <= poll.max_time - spent
                why = (f"{n} attempt(s)" if n == poll.max_attempts else
                       f"{spent:.1f} s (the scenario timeout)" if scenario_cut else
                       f"{spent:.1f} s (max_time {poll.max_time:g} s)")
                extra.append(Failure("poll", "until", "until", " && ".join(poll.until),
                                     {k: v for c in poll.until for k, v in condition_values(c, self.ctx).items()},
                                     f"poll gave up after {why}: `{' && '.join(poll.until)}` never held"
                                     + (f" (last {note})" if note else "")))
                break
            attempts[-1] = replace(attempts[-1], wait_s=round(wait, 3))
            if self.stop.is_set() or (wait > 0 and self.stop.wait(wait)):
                extra.append(Failure("poll", "until", "until", " && ".join(poll.until), state,
                                     f"poll stopped after {n} attempt(s): the run was interrupted"))
                break
            interval = min(interval * poll.backoff, poll.max_interval) if interval else 0.0
        assert resp is not None
        details = replace(details, attempts=tuple(attempts))
        return self._judge(step, target, op, resp, details, violations, extra, len(attempts))

    # -- judging ------------------------------------------------------------------------
    def _contract(self, spec: Spec, op: Operation, resp: dict[str, Any]) -> list[Finding]:
        if self.settings.contract == "off":
            return []
        body = resp["body"]
        kwargs: dict[str, Any] = {"raw": resp["raw"]} if not isinstance(body, (dict, list)) else {"body": body}
        found = check_response(spec, op, resp["status"], resp["headers"], **kwargs)
        if not op.responses:  # OpenAPI 3.1 lets an operation document none: no status to hold it to
            found = [v for v in found if v.check != "status_documented"]
        out = []
        for v in found:
            level = self.settings.level(v.check)
            if level is not None:
                out.append(replace(v, severity=level))
        return out

    def _judge(self, step: Step, target: Target, op: Operation, resp: dict[str, Any], details: Details,
               violations: list[Finding], failures: list[Failure], attempts: int) -> Outcome:
        details = replace(details, response=self._response_details(resp))
        level = step.contract or self.scenario.contract
        if level == "warn":  # the older spelling of the shared word (toolcheck.findings)
            level = "warning"
        if level == "off":
            violations = []
        elif level == "warning":
            violations = [replace(v, severity=Severity.WARNING) for v in violations]
        failures = list(failures) + self._expectations(step, op, target.spec, resp)
        # "an auth failure the operation does not document" is a contract check: --contract,
        # --severity status_documented=... and a step's `contract:` set how much it counts.
        undocumented = [f for f in failures if f.operator == "documented"]
        if undocumented:
            documented_level = parse_level(level) if level in ("warning", "off") else self.settings.level("status_documented")
            if documented_level is not Severity.ERROR:
                failures = [f for f in failures if f.operator != "documented"]
                if documented_level is not None:
                    violations = violations + [Finding("status_documented", f.message, f.path, documented_level)
                                               for f in undocumented]
        failures += self._criteria(step.criteria)
        leaks = self.redactor.leaks(resp["raw"]) + self.redactor.leaks(
            "\n".join(f"{k}: {v}" for k, v in resp["headers"].items()))
        leak_level = self.settings.level("secret_leak")
        if leaks and leak_level is not None:
            violations.append(Finding("secret_leak", f"the response contains a known secret ({', '.join(sorted(set(leaks)))})",
                                      severity=leak_level))
        if failures:
            first = failures[0]
            details = replace(details, expected=self.redactor.redact_value(_jsonable(first.expected)),
                              actual=self.redactor.redact_value(_jsonable(first.actual)),
                              assertions=tuple(self._redact_assertion(f) for f in failures))
        all_violations = [Finding(f"expect.{f.check}", f.message, f.path, Severity.ERROR)
                          for f in failures] + violations
        if all_violations:
            details = replace(details, violations=tuple(self._redact_finding(v) for v in all_violations))
        errors = [v for v in all_violations if v.severity is Severity.ERROR]
        status = "failed" if errors else "passed"
        message = errors[0].message if errors else ""
        if len(errors) > 1:
            message += f" (+{len(errors) - 1} more)"
        outcome = Outcome(status, message, details, attempts=attempts, response=resp)
        # Captured even when the step failed: `finally` teardown needs the id of what was created.
        self._capture(step, resp)
        return outcome

    def _redact_assertion(self, failure: Failure) -> Failure:
        r = self.redactor
        return replace(failure, check=r.redact_text(failure.check), path=r.redact_text(failure.path),
                       operator=r.redact_text(failure.operator), expected=r.redact_value(_jsonable(failure.expected)),
                       actual=r.redact_value(_jsonable(failure.actual)), message=r.redact_text(failure.message))

    def _redact_finding(self, finding: Finding) -> Finding:
        r = self.redactor
        return replace(finding, message=r.redact_text(finding.message), pointer=r.redact_text(finding.pointer),
                       hint=r.redact_text(finding.hint), cause=r.redact_text(finding.cause),
                       evidence=tuple(r.redact_value(dict(e)) for e in finding.evidence))

    def _expectations(self, step: Step, op: Operation, spec: Spec, resp: dict[str, Any]) -> list[Failure]:
        out: list[Failure] = []
        expect = step.expect
        status = resp["status"]
        auth_failure = step.auth in ("none", "invalid") and any(r for r in op.security)
        if "status" in expect:
            failure = check_status(render(expect["status"], self.ctx), status)
            if failure:
                out.append(failure)
        elif auth_failure:
            failure = check_status([401, 403], status)
            if failure:
                out.append(Failure("status", "$statusCode", "in", [401, 403], status,
                                   f"auth-failure step got status {status}, expected 401 or 403"))
        elif self.scenario.kind == "toolcheck" and status >= 400:
            out.append(Failure("status", "$statusCode", "lt", 400, status,
                               f"status {status} (no expect.status given: a success was expected)"))
        if auth_failure and status in (401, 403):
            documented = {str(status), "4XX", "4xx"} & set(op.responses)
            if not documented:
                out.append(Failure("status", "$statusCode", "documented", sorted(op.responses), status,
                                   f"auth failure answered {status}, which {op.key} does not document"))
        for name, spec_value in (expect.get("headers") or {}).items():
            actual = resp["headers"].get(str(name).lower(), ABSENT)
            out += check_operators("header", f"header {name}", spec_value, actual, render=lambda v: render(v, self.ctx))
        body = resp["body"]
        for item in expect.get("body") or []:
            path = item["path"]
            try:
                actual = jsonpath_values(path, body if body is not None else ABSENT)
            except ValueError as exc:
                out.append(Failure("body", path, "path", path, None, str(exc)))
                continue
            ops = {k: v for k, v in item.items() if k != "path"}
            out += check_operators("body", path, ops, actual, render=lambda v: render(v, self.ctx),
                                   schema_check=lambda schema, value: self._schema_errors(spec, schema, value))
        if "time_ms" in expect:
            limit = expect["time_ms"]
            ops = limit if isinstance(limit, dict) else {"lte": limit}
            out += check_operators("time", "time_ms", ops, round(resp["elapsed_ms"], 3))
        return out

    def _schema_errors(self, spec: Spec, schema: Any, value: Any) -> list[str]:
        from toolcheck.spec.jsonschema import schema_errors

        return [f"{p or '/'}: {m}" for p, m in schema_errors(spec, schema, value, limit=5)]

    def _criteria(self, criteria: tuple[Criterion, ...]) -> list[Failure]:
        out: list[Failure] = []
        for criterion in criteria:
            ok, actual = evaluate_criterion(criterion, self.ctx)
            if not ok:
                shown = (f"; {criterion.context} is {_short(actual)}" if criterion.context else
                         "; " + ", ".join(f"{k} is {_short(v)}" for k, v in (actual or {}).items()))
                if criterion.type == "jsonpath" and isinstance(actual, dict) and criterion.condition.startswith("$[?"):
                    # The Respect / arazzo-runner split (research §3.4): RFC 9535 filters select
                    # among the root object's member values, never the root itself.
                    shown += ("; note: a filter on an object root tests its member values (RFC 9535), "
                              "e.g. $[?@.x] does not look at the root's own x")
                out.append(Failure("criteria", criterion.context or "", criterion.type, criterion.condition, actual,
                                   f"successCriteria `{criterion.condition}` ({criterion.type}) is false" + shown.rstrip("; ")))
        return out

    def _capture(self, step: Step, resp: dict[str, Any]) -> None:
        outputs = self.ctx.steps.setdefault(step.id, {}).setdefault("outputs", {})
        for name, out in step.outputs.items():
            value = render(out.expression, self.ctx)
            outputs[name] = value
            if out.secret:
                self.redactor.add(value if isinstance(value, str) else orjson.dumps(value).decode(),
                                  label=f"{step.id}.outputs.{name}")


def _render_auth(mode: Any, ctx: Context) -> Any:
    return render(mode, ctx) if isinstance(mode, dict) else mode


def _jsonable(value: Any) -> Any:
    return None if value is ABSENT else value


def _short(value: Any) -> str:
    text = orjson.dumps(value, default=str).decode() if value is not ABSENT else "missing"
    return text if len(text) < 120 else text[:117] + "..."
