"""The step engine over an injected httpx transport: chaining, polling, auth, secrets, flow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from toolcheck.details import Response
from toolcheck.findings import Severity
from toolcheck.redact import Redactor
from toolcheck.results import CaseResult, SuiteResult
from toolcheck.scenarios import RunContext, Settings, Target, load_file, run_scenario
from toolcheck.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"
TOKEN = "s3cret-token-value-42"


def task(status: str, **extra: Any) -> dict[str, Any]:
    return {"task_id": "task_abcdefgh", "kind": "export_invoices", "status": status,
            "created_at": "2026-01-01T00:00:00Z", **extra}


class FakeApi:
    """A scripted agent-tools API: task states come from ``states``; auth is checked."""

    def __init__(self, states: list[str] | None = None, *, error: dict[str, Any] | None = None,
                 fail_connect: int = 0, leak: bool = False, undocumented_401: bool = False) -> None:
        self.states = states or ["queued", "running", "completed"]
        self.polls = 0
        self.error = error
        self.fail_connect = fail_connect
        self.leak = leak
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_connect:
            self.fail_connect -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": {"code": "unauthorized", "message": "bad token"}})
        if request.method == "POST" and request.url.path == "/tasks":
            return httpx.Response(202, json=task("queued"), headers={"Location": "/tasks/task_abcdefgh"})
        if request.method == "GET" and request.url.path.startswith("/tasks/"):
            state = self.states[min(self.polls, len(self.states) - 1)]
            self.polls += 1
            body = task(state, error=self.error if state == "failed" else None)
            if self.leak:
                body["kind"] = TOKEN
            return httpx.Response(200, json=body, headers={"Retry-After": "0"})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no"}})


def write(tmp_path: Path, text: str, name: str = "s.toolcheck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("SPEC", str(SPEC)), encoding="utf-8")
    return path


BASE = """
name: lifecycle
spec: SPEC
inputs:
  token: {default: TOKEN, format: password}
auth: {bearerAuth: $inputs.token}
steps:
  - id: create
    operation: create_task
    body: {kind: export_invoices}
    expect: {status: 202}
    outputs: {task_id: $response.body#/task_id}
  - id: wait
    operation: get_task
    params: {task_id: $steps.create.outputs.task_id}
    poll:
      until: $response.body#/status == 'completed'
      fail_if: $response.body#/status == 'failed'
      interval: 0
      max_attempts: 5
      transitions: [queued, running, completed, failed]
    expect:
      body:
        - {path: $.status, in: [queued, running, completed, failed]}
""".replace("TOKEN", TOKEN)


def run(path: Path, api: FakeApi, **settings: Any) -> tuple[SuiteResult, bool, Redactor]:
    spec = load_spec(str(SPEC))
    redactor = Redactor()
    ctx = RunContext(settings=Settings(**settings), redactor=redactor)
    client = httpx.Client(transport=httpx.MockTransport(api))
    [scenario] = load_file(path)
    suite, unreachable = run_scenario(scenario, {"": Target(spec, client, "http://api.test")}, ctx)
    return suite, unreachable, redactor


def statuses(suite: SuiteResult) -> dict[str, str]:
    return {c.name: c.status for c in suite.cases}


def _response(case: CaseResult) -> Response:
    assert case.details.response is not None, case
    return case.details.response


def test_chain_and_poll_until_completed(tmp_path: Path) -> None:
    api = FakeApi(["queued", "running", "completed"])
    suite, unreachable, _ = run(write(tmp_path, BASE), api)
    assert statuses(suite) == {"create": "passed", "wait": "passed"}
    wait = suite.cases[1]
    assert wait.properties["attempts"] == "3"
    assert [a.note.split(";")[0] for a in wait.details.attempts or ()] == ["state=queued", "state=running", "state=completed"]
    assert str(api.requests[1].url) == "http://api.test/tasks/task_abcdefgh"
    assert not unreachable


def test_fail_if_stops_polling_at_once(tmp_path: Path) -> None:
    api = FakeApi(["running", "failed", "completed"], error={"code": "internal_error", "message": "x"})
    suite, _, _ = run(write(tmp_path, BASE), api)
    wait = suite.cases[1]
    assert wait.status == "failed" and "fail_if" in wait.message
    assert api.polls == 2


def test_backwards_transition_fails(tmp_path: Path) -> None:
    suite, _, _ = run(write(tmp_path, BASE), FakeApi(["running", "queued", "completed"]))
    assert suite.cases[1].status == "failed"
    assert "backwards" in suite.cases[1].message


def test_poll_gives_up_after_max_attempts(tmp_path: Path) -> None:
    api = FakeApi(["running"])
    suite, _, _ = run(write(tmp_path, BASE), api)
    assert suite.cases[1].status == "failed" and "gave up after 5 attempt" in suite.cases[1].message
    assert api.polls == 5


def test_contract_violation_is_reported_with_pointer(tmp_path: Path) -> None:
    text = BASE.replace("interval: 0", "interval: 0\n      state: $response.body#/status")
    api = FakeApi(["completed"])
    original = api.__call__

    class Broken(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            response = original(request)
            if request.method == "GET":
                return httpx.Response(200, json={"task_id": 5, "status": "completed"})
            return response

    suite, _, _ = run(write(tmp_path, text), Broken(["completed"]))
    wait = suite.cases[1]
    assert wait.status == "failed"
    checks = {(v.check, v.pointer) for v in wait.details.violations or ()}
    assert ("body_schema", "/task_id") in checks
    suite_warn, _, _ = run(write(tmp_path, text), Broken(["completed"]), contract="warn")
    assert suite_warn.cases[1].status == "passed"


def test_secrets_are_redacted_and_leaks_flagged(tmp_path: Path) -> None:
    suite, _, redactor = run(write(tmp_path, BASE), FakeApi(["completed"], leak=True))
    dumped = json.dumps([c.to_dict() for c in suite.cases])
    assert TOKEN not in dumped
    leak = [v for v in suite.cases[1].details.violations or () if v.check == "secret_leak"]
    assert leak and "inputs.token" in leak[0].message
    assert redactor.leaks(f"x {TOKEN} y")


AUTH = """
name: auth
spec: SPEC
auth: {bearerAuth: TOKEN}
steps:
  - id: no_token
    operation: get_task
    params: {task_id: task_abcdefgh}
    auth: none
  - id: bad_token
    operation: get_task
    params: {task_id: task_abcdefgh}
    auth: invalid
    expect:
      status: 401
      body:
        - {path: $.error.code, eq: unauthorized}
  - id: undocumented
    operation: list_tasks
    auth: invalid
""".replace("TOKEN", TOKEN)


def test_auth_failure_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suite, _, _ = run(write(tmp_path, AUTH), FakeApi())
    assert statuses(suite) == {"no_token": "passed", "bad_token": "passed", "undocumented": "passed"}


def test_auth_failure_needs_documented_status(tmp_path: Path) -> None:
    class Forbidden(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(403, json={"error": {"code": "forbidden", "message": "no"}})

    suite, _, _ = run(write(tmp_path, AUTH), Forbidden())
    # get_task documents 401 and 404, not 403: an auth failure answered 403 is outside the contract.
    assert suite.cases[0].status == "failed"
    assert "does not document" in suite.cases[0].message or "403" in suite.cases[0].message
    # it is a contract check: --contract warn (or a step's `contract: warn`) makes it a warning
    suite, _, _ = run(write(tmp_path, AUTH), Forbidden(), contract="warn")
    assert suite.cases[0].status == "passed"
    assert any(v.check == "status_documented" and "does not document" in v.message
               and v.severity is Severity.WARNING for v in suite.cases[0].details.violations or ())
    suite, _, _ = run(write(tmp_path, AUTH), Forbidden(), contract="off")
    assert suite.cases[0].status == "passed"


@pytest.mark.parametrize("word", ["warning", "warn"])
def test_contract_warning_is_the_shared_word_and_warn_still_reads(tmp_path: Path, word: str) -> None:
    class Forbidden(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(403, json={"error": {"code": "forbidden", "message": "no"}})

    for text, settings in [(AUTH, {"contract": word}),  # run-wide (--contract)
                           (AUTH.replace("    auth: none\n", f"    auth: none\n    contract: {word}\n", 1), {})]:
        suite, _, _ = run(write(tmp_path, text), Forbidden(), **settings)
        assert suite.cases[0].status == "passed", (word, settings)
        severities = [v.severity.value for v in suite.cases[0].details.violations or ()]
        assert severities and set(severities) == {"warning"}


def test_network_retry_then_unreachable(tmp_path: Path) -> None:
    text = BASE.replace("    expect: {status: 202}", "    expect: {status: 202}\n    retry: {max_attempts: 3, interval: 0}")
    suite, unreachable, _ = run(write(tmp_path, text), FakeApi(["completed"], fail_connect=2))
    assert suite.cases[0].status == "passed" and suite.cases[0].properties["attempts"] == "3"
    suite, unreachable, _ = run(write(tmp_path, BASE), FakeApi(fail_connect=99))
    assert unreachable and suite.cases[0].status == "error"
    assert suite.cases[1].status == "skipped"



def test_a_poll_whose_target_goes_away_keeps_the_attempts_it_made(tmp_path: Path) -> None:
    class GoesAway(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if self.polls >= 2 and request.method == "GET":
                raise httpx.ConnectError("connection refused", request=request)
            return super().__call__(request)

    suite, unreachable, _ = run(write(tmp_path, BASE), GoesAway(["queued", "running", "completed"]))
    wait = suite.cases[1]
    assert unreachable and wait.status == "error" and "unreachable" in wait.message
    assert [(a.attempt, a.status) for a in wait.details.attempts or ()] == [(1, 200), (2, 200)]

FLOW = """
name: flow
spec: SPEC
auth: {bearerAuth: TOKEN}
steps:
  - id: create
    operation: create_task
    body: {kind: export_invoices}
    expect:
      status: 202
      headers: {Location: {matches: '^/tasks/'}}
      body:
        - {path: $.status, eq: running}
  - id: never
    operation: get_task
    params: {task_id: $steps.create.outputs.id}
finally:
  - id: cleanup
    operation: cancel_task
    params: {task_id: task_abcdefgh}
    expect: {status: [204, 404]}
data:
  - {kind: a}
  - {kind: b}
""".replace("TOKEN", TOKEN)


def test_failure_skips_rest_but_finally_runs(tmp_path: Path) -> None:
    suite, _, _ = run(write(tmp_path, FLOW), FakeApi())
    assert statuses(suite) == {"create": "failed", "never": "skipped", "finally: cleanup": "passed"}
    create = suite.cases[0]
    assert create.details.expected == "running" and create.details.actual == "queued"
    assert create.details.curl and TOKEN not in create.details.curl


def test_scenario_errors_have_file_and_line(tmp_path: Path) -> None:
    from toolcheck.errors import ScenarioError

    bad = write(tmp_path, "name: x\nsteps:\n  - id: a\n    operation: get_task\n    expect:\n      status: 99\n")
    with pytest.raises(ScenarioError) as info:
        load_file(bad)
    assert info.value.location == f"{bad}:6"
    dup = write(tmp_path, "name: x\nsteps:\n  - {id: a, operation: x}\n  - {id: a, operation: y}\n", "d.toolcheck.yaml")
    with pytest.raises(ScenarioError, match="already used"):
        load_file(dup)


LOGIN_SPEC = """
openapi: 3.1.0
info: {title: login, version: '1'}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /login:
    post:
      operationId: login
      security: []
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {password: {type: string}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [access_token], properties: {access_token: {type: string}}}
  /me:
    get:
      operationId: me
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object}
        '401': {description: no}
"""


def test_a_token_captured_at_run_time_authenticates_and_is_masked(tmp_path: Path) -> None:
    spec_path = tmp_path / "login.yaml"
    spec_path.write_text(LOGIN_SPEC)
    captured = "tok-captured-at-runtime-991"
    scenario = tmp_path / "login.toolcheck.yaml"
    scenario.write_text(f"""
name: login
spec: {spec_path}
inputs:
  password: {{default: hunter2-hunter2, format: password}}
auth: {{bearer: $steps.login.outputs.token}}
steps:
  - id: login
    operation: login
    body: {{password: $inputs.password}}
    outputs: {{token: $response.body#/access_token}}
  - id: me
    operation: me
    expect:
      body:
        - {{path: $.user, eq: ada}}
""")
    seen: list[str | None] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/login":
            return httpx.Response(200, json={"access_token": captured})
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"user": "ada"})

    redactor = Redactor()
    client = httpx.Client(transport=httpx.MockTransport(api))
    [loaded] = load_file(scenario)
    suite, _ = run_scenario(loaded, {"": Target(load_spec(str(spec_path)), client, "http://api.test")},
                            RunContext(redactor=redactor))
    assert suite.ok and seen == [f"Bearer {captured}"]
    dumped = json.dumps(suite.to_dict())
    assert "hunter2-hunter2" not in dumped
    # The login response body carried the token before anyone knew it was one; the report is
    # redacted again at the end (write_reports) with everything the run learnt.
    from toolcheck.report import sanitize_suite

    assert captured not in json.dumps(sanitize_suite(suite, redactor).to_dict())


def test_scenario_timeout_bounds_polling(tmp_path: Path) -> None:
    text = BASE.replace("interval: 0", "interval: 0.05").replace("max_attempts: 5", "max_attempts: 1000")
    text = text.replace("steps:\n", "timeout: 0.3\nsteps:\n", 1)
    started = __import__("time").monotonic()
    suite, _, _ = run(write(tmp_path, text), FakeApi(["running"]))
    assert __import__("time").monotonic() - started < 10  # not the 1000 x 50 ms the poll allows
    assert suite.cases[1].status == "failed" and "scenario timeout" in suite.cases[1].message


def test_data_rows_from_csv_env_and_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rows.csv").write_text("kind\nexport_invoices\ngenerate_report\n")
    path = write(tmp_path, """
name: rows
spec: SPEC
inputs:
  token: {env: ROWS_TOKEN, format: password}
auth: {bearerAuth: $inputs.token}
data: rows.csv
steps:
  - id: create
    operation: create_task
    body: {kind: $inputs.kind}
    expect: {status: 202}
""")
    from toolcheck.scenarios import expand

    [scenario] = load_file(path)
    units = expand([scenario])
    assert [u.row for u in units] == [{"kind": "export_invoices"}, {"kind": "generate_report"}]
    assert units[0].label != units[1].label
    api = FakeApi()
    spec = load_spec(str(SPEC))
    client = httpx.Client(transport=httpx.MockTransport(api))
    ctx = RunContext(redactor=Redactor(), env={"ROWS_TOKEN": TOKEN})
    for unit in units:
        suite, _ = run_scenario(unit.scenario, {"": Target(spec, client, "http://t")}, ctx, row=unit.row, label=unit.label)
        assert suite.ok, suite.cases[0].message
    assert [json.loads(r.content)["kind"] for r in api.requests] == ["export_invoices", "generate_report"]
    from toolcheck.errors import ScenarioError

    missing = write(tmp_path, "name: m\nspec: SPEC\ninputs:\n  x: {required: true}\nsteps:\n  - {id: a, operation: list_tasks}\n", "m.toolcheck.yaml")
    [scenario] = load_file(missing)
    with pytest.raises(ScenarioError, match="--input x="):
        run_scenario(scenario, {"": Target(spec, client, "http://t")}, RunContext())


def test_per_check_severity(tmp_path: Path) -> None:
    class Untyped(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(202, json={"task_id": 1, "status": "queued"})

    path = write(tmp_path, BASE.split("  - id: wait")[0])
    suite, _, _ = run(path, Untyped())
    assert suite.cases[0].status == "failed"
    suite, _, _ = run(path, Untyped(), severity={"body_schema": "warn"})
    assert suite.cases[0].status == "passed"
    assert {v.severity.value for v in suite.cases[0].details.violations or ()} == {"warning"}


def test_retry_after_is_honoured_and_recorded(tmp_path: Path) -> None:
    class Slow(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            response = super().__call__(request)
            if request.method == "GET":
                response.headers["Retry-After"] = "1"
            return response

    text = BASE.replace("interval: 0", "interval: 0\n      max_interval: 0.05")
    started = __import__("time").monotonic()
    suite, _, _ = run(write(tmp_path, text), Slow(["queued", "completed"]))
    elapsed = __import__("time").monotonic() - started
    attempts = suite.cases[1].details.attempts or ()
    assert suite.ok and attempts[0].retry_after == 1.0
    assert attempts[0].wait_s == 0.05 and attempts[1].wait_s is None  # capped by max_interval
    assert elapsed >= 0.05


@pytest.mark.parametrize(("step_extra", "needle"), [
    ("    expect:\n      body:\n        - {path: '$[?', eq: 1}\n", "invalid JSONPath"),
    ("    expect:\n      body:\n        - {path: $.a, matches: '(open'}\n", "regular expression"),
    ("    expect:\n      body:\n        - {path: $.a, schema: {type: nope}}\n", "JSON Schema"),
    ("    params: {status: $steps.creat.outputs.x}\n", "did you mean 'create'"),
    ("    params: {status: 'x{$nope.y}'}\n", "not a runtime expression"),
    ("    if: $statusCode ==\n", "ends too early"),
])
def test_mistakes_are_caught_when_loading(tmp_path: Path, step_extra: str, needle: str) -> None:
    from toolcheck.errors import ScenarioError

    text = "name: x\nspec: SPEC\nsteps:\n  - id: create\n    operation: list_tasks\n  - id: b\n    operation: list_tasks\n"
    path = write(tmp_path, text + step_extra)
    with pytest.raises(ScenarioError, match=needle) as info:
        load_file(path)
    assert info.value.location and info.value.location.startswith(f"{path}:")
    assert int(info.value.location.rsplit(":", 1)[1]) >= 6


def test_an_internal_error_in_one_step_is_an_error_case_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolcheck.scenarios import _exec

    monkeypatch.delenv("TOOLCHECK_DEBUG", raising=False)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(_exec, "check_response", boom)
    suite, flagged, _ = run(write(tmp_path, BASE), FakeApi())
    assert flagged and suite.cases[0].status == "error" and "kaboom" in suite.cases[0].message


def test_huge_and_binary_bodies_are_summarised_in_reports(tmp_path: Path) -> None:
    class Big(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                return httpx.Response(202, json=task("queued", kind="export_invoices") | {"pad": "x" * 200_000})
            return httpx.Response(200, content=b"\x00\x01binary", headers={"Content-Type": "application/octet-stream"})

    suite, _, _ = run(write(tmp_path, BASE), Big())
    body = _response(suite.cases[0]).body
    assert isinstance(body, str) and len(body) < 70_000 and "bytes in all" in body
    wait = suite.cases[1]
    assert _response(wait).body == "<8 bytes of application/octet-stream>"
    assert any(v.check == "content_type" for v in wait.details.violations or ())


def test_a_step_timeout_fails_the_step_with_its_budget(tmp_path: Path) -> None:
    class Hangs(FakeApi):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            assert request.extensions["timeout"]["read"] == 0.25
            raise httpx.ReadTimeout("slow", request=request)

    text = BASE.replace("    expect: {status: 202}", "    expect: {status: 202}\n    timeout: 250ms")
    suite, unreachable, _ = run(write(tmp_path, text), Hangs())
    assert not unreachable
    assert suite.cases[0].status == "failed" and "no response within 0.25 s" in suite.cases[0].message


def test_schema_errors_name_the_key_and_suggest(tmp_path: Path) -> None:
    from toolcheck.errors import ScenarioError

    path = write(tmp_path, "name: x\nsteps:\n  - id: a\n    operation: list_tasks\n    expect:\n      statuss: 200\n")
    with pytest.raises(ScenarioError, match="did you mean 'status'") as info:
        load_file(path)
    assert info.value.location == f"{path}:6"
    spec_by_mistake = write(tmp_path, SPEC.read_text(), "spec.toolcheck.yaml")
    with pytest.raises(ScenarioError, match="OpenAPI description, not a scenario"):
        load_file(spec_by_mistake)


def test_unchanged_files_load_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolcheck.scenarios import _cache, loader

    monkeypatch.setenv("TOOLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOOLCHECK_NO_CACHE", raising=False)
    monkeypatch.setattr(_cache, "MIN_BYTES", 0)
    path = write(tmp_path, BASE)
    calls: list[int] = []
    real_validate = loader.validate

    def counting(data: Any, loc: Any) -> Any:
        calls.append(1)
        return real_validate(data, loc)

    monkeypatch.setattr(loader, "validate", counting)
    [cold] = load_file(path)
    [warm] = load_file(path)
    assert calls == [1]  # validated once; the second load came from the cache
    assert [(s.id, s.line, s.outputs) for s in warm.steps] == [(s.id, s.line, s.outputs) for s in cold.steps]
    assert warm.steps[1].poll == cold.steps[1].poll and warm.inputs == cold.inputs
    path.write_text(path.read_text().replace("max_attempts: 5", "max_attempts: 6"))
    [changed] = load_file(path)
    assert calls == [1, 1] and changed.steps[1].poll is not None and changed.steps[1].poll.max_attempts == 6
    monkeypatch.setenv("TOOLCHECK_NO_CACHE", "1")
    load_file(path)
    assert len(calls) == 3


def test_each_and_any_in_a_scenario(tmp_path: Path) -> None:
    text = BASE.replace("        - {path: $.status, in: [queued, running, completed, failed]}",
                        "        - {path: '$.*', any: {eq: completed}}\n"
                        "        - {path: \"$['task_id','kind']\", each: {type: string, matches: '^[a-z_]+'}}")
    suite, _, _ = run(write(tmp_path, text), FakeApi(["completed"]))
    assert suite.ok, [(c.name, c.message) for c in suite.cases]
    broken = text.replace("any: {eq: completed}", "any: {eq: nope}")
    suite, _, _ = run(write(tmp_path, broken, "b.toolcheck.yaml"), FakeApi(["completed"]))
    assert suite.cases[1].status == "failed" and "no item matches" in suite.cases[1].message


def test_finally_can_use_outputs_of_a_failed_step(tmp_path: Path) -> None:
    api = FakeApi()
    text = FLOW.replace("        - {path: $.status, eq: running}",
                        "        - {path: $.status, eq: running}\n    outputs: {id: $response.body#/task_id}")
    text = text.replace("params: {task_id: task_abcdefgh}\n    expect: {status: [204, 404]}",
                        "params: {task_id: $steps.create.outputs.id}\n    expect: {status: [204, 404]}")
    suite, _, _ = run(write(tmp_path, text), api)
    assert [c.status for c in suite.cases] == ["failed", "skipped", "passed"]
    assert api.requests[-1].method == "DELETE" and api.requests[-1].url.path == "/tasks/task_abcdefgh"


def test_a_request_cut_by_an_interrupt_is_an_interrupted_failure_not_an_unreachable_target(tmp_path: Path) -> None:
    # Ctrl-C with -j N: the main thread closes the connections while a worker's request is in
    # flight. That step must say it was interrupted, not blame the target (exit 3 territory).
    api = FakeApi()
    ctx = RunContext(settings=Settings(), redactor=Redactor())

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            ctx.stop.set()
            raise httpx.ReadError("connection closed", request=request)
        return api(request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    [scenario] = load_file(write(tmp_path, BASE))
    suite, unreachable = run_scenario(scenario, {"": Target(load_spec(str(SPEC)), client, "http://api.test")}, ctx)
    wait = next(c for c in suite.cases if c.name == "wait")
    assert not unreachable
    assert wait.status == "failed" and "interrupted" in wait.message
