"""A small real service implementing ``examples/agent-tools/openapi.yaml``, with planted bugs.

Run it (``--port 0`` picks a free port and prints it)::

    python examples/planted_bugs/app.py --port 8765
    toolcheck fuzz examples/agent-tools/openapi.yaml --base-url http://127.0.0.1:8765 --bearer test-token

The only valid token is ``test-token``. Everything not listed below behaves as the spec says
(validation with the documented ``Error`` body, 401 with ``WWW-Authenticate``, 404 for unknown
ids, 409 for cancelling a finished task). Cancelling a task deletes it: afterwards
``get_task`` answers 404. Invalid cursors are treated as "from the start".

Planted bugs (operation: kind — what happens):

1. ``list_tasks``: server error — a cursor that is not one this service issued crashes (500).
2. ``open_ticket``: invalid input accepted — ``priority`` is not validated (``"Urgent"``,
   ``null`` ... get 201; the stored ticket silently uses ``normal``).
3. ``get_invoice``: undocumented status — a malformed invoice id gets 400 (only 401/404 are
   documented).
4. ``create_task``: response violates its schema — the new task's status is ``"pending"``,
   which is not in the ``TaskStatus`` enum.
5. ``list_tasks``: missing auth check — answers 200 without (or with an invalid) token.
6. ``create_task``: wrong error body — malformed JSON gets a ``text/plain`` 400, not the
   documented JSON ``Error``.
7. ``create_invoice``: not readable after create — the invoice is stored under another key,
   so ``get_invoice`` with the returned id answers 404.
8. ``cancel_task``: deleted resource still readable — 204, but the task is not removed.
9. ``get_task``: header contract violation — ``Retry-After: soon`` (documented as an integer).
10. ``create_invoice``: server error — arithmetic overflow of two bounded-below integers: each
    ``quantity`` (1..10000) and ``unit_amount`` (>= 0, stored as int64) is accepted alone, but the
    int64 total ``quantity * unit_amount`` overflows (500).
11. ``get_task``: server error — a state bug for one enum value of a create body: a task created
    with ``kind: import_customers`` is stored half-initialised, and reading it back crashes (500).
12. ``get_task``: a 405 whose ``Allow`` omits a documented method — ``/tasks/{task_id}`` routes GET
    and DELETE apart (as Starlette does for FastAPI), so a PUT there gets ``405`` with
    ``Allow: GET, HEAD``, though DELETE is supported and documented (RFC 9110 §15.5.6).

Scopes (the spec's ``invoices:write``, ``tasks:write``, ``tickets:write`` ...): ``test-token`` holds
every scope; ``read-token`` holds only the read scopes, and the writes refuse it with 403, except:

S1. ``open_ticket``: missing scope check — ``read-token`` opens tickets (201).
S2. ``get_task``: broken object-level authorization — a task belongs to the token that created it,
    but ``get_task`` serves it to any token (``get_invoice`` checks: another token gets 404).

Both are found by the ``authz`` phase given the read-only identity: ``--identity
reader=bearerAuth:read-token --identity-scopes reader=invoices:read,tasks:read,customers:read``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import secrets
import socket
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "test-token"
READ_TOKEN = "read-token"  # holds the read scopes only
READ_SCOPES = frozenset({"invoices:read", "tasks:read", "customers:read"})
CURRENCIES = {"EUR", "USD", "GBP", "CHF", "JPY"}
KINDS = {"export_invoices", "generate_report", "import_customers"}
STATUSES = {"queued", "running", "completed", "failed"}
PRIORITIES = {"low", "normal", "high", "urgent"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^-?[0-9]+$")
INT64_MAX = 2**63 - 1  # the service stores amounts in 64-bit columns


def error(status: int, code: str, message: str, details: list[dict[str, str]] | None = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(prefix: str, length: int = 10) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class Invalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def require_string(obj: dict[str, Any], key: str, *, lo: int = 0, hi: int | None = None,
                   pattern: str | None = None, required: bool = True) -> None:
    if key not in obj:
        if required:
            raise Invalid(f"/{key}", "is required")
        return
    value = obj[key]
    if not isinstance(value, str):
        raise Invalid(f"/{key}", "must be a string")
    if len(value) < lo or (hi is not None and len(value) > hi):
        raise Invalid(f"/{key}", f"length must be between {lo} and {hi}")
    if pattern and not re.search(pattern, value):
        raise Invalid(f"/{key}", f"must match {pattern}")


def only_keys(obj: dict[str, Any], allowed: set[str], where: str = "") -> None:
    extra = set(obj) - allowed
    if extra:
        raise Invalid(f"{where}/{sorted(extra)[0]}", "unknown field")


class Store:
    def __init__(self) -> None:
        self.invoices: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.half_initialised: set[str] = set()
        self.customers = [
            {"id": "cus_0001", "name": "Ada Lovelace", "email": "ada@example.com", "country": "GB", "created_at": "2026-01-01T00:00:00Z"},
            {"id": "cus_0002", "name": "Grace Hopper", "email": "grace@example.com", "country": "US", "created_at": "2026-01-02T00:00:00Z"},
            {"id": "cus_0003", "name": "Émile Borel", "email": "emile@example.fr", "country": "FR", "created_at": "2026-01-03T00:00:00Z"},
        ]


def create_app(*, correct_authz: bool = False) -> Starlette:
    """The service; ``correct_authz`` fixes S1 and S2 (the version the authz phase must pass)."""
    store = Store()
    owners: dict[str, str] = {}  # task id → the Authorization header that created it

    def authorised(request: Request) -> bool:
        return request.headers.get("authorization", "") in (f"Bearer {TOKEN}", f"Bearer {READ_TOKEN}")

    def lacks(request: Request, scope: str) -> Response | None:
        """403 when the (authenticated) token does not hold ``scope`` (RFC 6750 §3.1)."""
        if request.headers.get("authorization", "") == f"Bearer {READ_TOKEN}" and scope not in READ_SCOPES:
            return error(403, "forbidden", f"the token lacks the scope {scope}",
                         headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
        return None

    def unauthorised() -> JSONResponse:
        return error(401, "unauthorized", "A valid bearer token is required.", headers={"WWW-Authenticate": "Bearer"})

    async def read_json(request: Request) -> Any:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise Invalid("", "the body must be application/json")
        raw = await request.body()
        try:
            return json.loads(raw)
        except ValueError:
            raise Invalid("", "the body is not valid JSON") from None

    def query_int(request: Request, name: str, lo: int, hi: int, default: int) -> int:
        text = request.query_params.get(name)
        if text is None:
            return default
        if not _INT.match(text) or not lo <= int(text) <= hi:
            raise Invalid(name, f"must be an integer between {lo} and {hi}")
        return int(text)

    def page(items: list[Any], cursor: str | None, limit: int, crash: bool = False) -> dict[str, Any]:
        start = 0
        if cursor is not None:
            if crash:
                start = int(cursor.removeprefix("c_"))  # BUG 1: ValueError on foreign cursors -> 500
            elif cursor.startswith("c_") and cursor[2:].isdigit():
                start = int(cursor[2:])
        chunk = items[start:start + limit]
        more = start + limit < len(items)
        return {"data": chunk, "has_more": more, "next_cursor": f"c_{start + limit}" if more else None}

    # --- invoices ---------------------------------------------------------------------
    def validate_invoice(body: Any) -> None:
        if not isinstance(body, dict):
            raise Invalid("", "must be an object")
        only_keys(body, {"customer_id", "currency", "due_date", "memo", "line_items"})
        require_string(body, "customer_id", pattern=r"^cus_[A-Za-z0-9]{4,}$")
        if not isinstance(body.get("currency"), str) or body["currency"] not in CURRENCIES:
            raise Invalid("/currency", "must be one of " + ", ".join(sorted(CURRENCIES)))
        if "due_date" in body and not is_date(body["due_date"]):
            raise Invalid("/due_date", "must be a date (YYYY-MM-DD)")
        require_string(body, "memo", hi=500, required=False)
        items = body.get("line_items")
        if not isinstance(items, list) or not 1 <= len(items) <= 50:
            raise Invalid("/line_items", "must be a list of 1 to 50 items")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise Invalid(f"/line_items/{i}", "must be an object")
            only_keys(item, {"description", "quantity", "unit_amount"}, f"/line_items/{i}")
            require_string(item, "description", lo=1, hi=200)
            if not is_int(item.get("quantity")) or not 1 <= item["quantity"] <= 10000:
                raise Invalid(f"/line_items/{i}/quantity", "must be an integer between 1 and 10000")
            if not is_int(item.get("unit_amount")) or not 0 <= item["unit_amount"] <= INT64_MAX:
                raise Invalid(f"/line_items/{i}/unit_amount", "must be a non-negative 64-bit integer")

    async def create_invoice(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        if (refused := lacks(request, "invoices:write")) is not None:
            return refused
        try:
            body = await read_json(request)
        except Invalid as exc:
            return error(400, "invalid_request", exc.message)
        try:
            validate_invoice(body)
        except Invalid as exc:
            return error(422, "validation_failed", exc.message, [{"field": exc.field, "message": exc.message}])
        total = 0
        for item in body["line_items"]:
            total += item["quantity"] * item["unit_amount"]
            if total > INT64_MAX:  # BUG 10: int64 arithmetic overflows; nothing catches it
                return PlainTextResponse("Internal Server Error: integer overflow", status_code=500)
        invoice = {
            "id": new_id("inv_"), "customer_id": body["customer_id"], "currency": body["currency"], "status": "draft",
            "due_date": body.get("due_date"), "line_items": body["line_items"], "total": total, "created_at": now(),
        }
        if "memo" in body:
            invoice["memo"] = body["memo"]
        store.invoices[invoice["id"].upper()] = invoice  # BUG 7: stored under another key
        return JSONResponse(invoice, status_code=201, headers={"Location": f"/invoices/{invoice['id']}"})

    async def get_invoice(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        invoice_id = request.path_params["invoice_id"]
        if not re.match(r"^inv_[A-Za-z0-9]{8,}$", invoice_id):
            return error(400, "invalid_request", "malformed invoice id")  # BUG 3: 400 is not documented
        invoice = store.invoices.get(invoice_id)
        if invoice is None:
            return error(404, "not_found", "No such invoice.")
        return JSONResponse(invoice)

    # --- tasks ------------------------------------------------------------------------
    async def create_task(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        if (refused := lacks(request, "tasks:write")) is not None:
            return refused
        try:
            body = await read_json(request)
        except Invalid as exc:
            if "JSON" in exc.message and "application/json" not in exc.message:
                return PlainTextResponse("Bad Request: invalid JSON", status_code=400)  # BUG 6
            return error(400, "invalid_request", exc.message)
        try:
            if not isinstance(body, dict):
                raise Invalid("", "must be an object")
            only_keys(body, {"kind", "parameters"})
            if not isinstance(body.get("kind"), str) or body["kind"] not in KINDS:
                raise Invalid("/kind", "must be one of " + ", ".join(sorted(KINDS)))
            params = body.get("parameters", {})
            if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
                raise Invalid("/parameters", "must be an object of strings")
        except Invalid as exc:
            return error(422, "validation_failed", exc.message, [{"field": exc.field, "message": exc.message}])
        task = {"task_id": new_id("task_"), "kind": body["kind"], "status": "queued", "progress": 0, "created_at": now()}
        store.tasks[task["task_id"]] = task
        owners[task["task_id"]] = request.headers.get("authorization", "")
        if body["kind"] == "import_customers":
            store.half_initialised.add(task["task_id"])  # BUG 11: the import's state is never set up
        shown = dict(task, status="pending")  # BUG 4: "pending" is not in TaskStatus
        return JSONResponse(shown, status_code=202, headers={"Location": f"/tasks/{task['task_id']}"})

    async def list_tasks(request: Request) -> Response:
        # BUG 5: no authorisation check here.
        try:
            limit = query_int(request, "limit", 1, 100, 20)
            status = request.query_params.get("status")
            if status is not None and status not in STATUSES:
                raise Invalid("status", "must be one of " + ", ".join(sorted(STATUSES)))
        except Invalid as exc:
            return error(400, "invalid_request", f"{exc.field}: {exc.message}")
        tasks = [t for t in reversed(store.tasks.values()) if status is None or t["status"] == status]
        try:
            return JSONResponse(page(tasks, request.query_params.get("cursor"), limit, crash=True))
        except ValueError:  # what an unhandled exception becomes behind a generic error handler
            return PlainTextResponse("Internal Server Error", status_code=500)

    async def get_task(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        task = store.tasks.get(request.path_params["task_id"])
        foreign = owners.get(request.path_params["task_id"], "") != request.headers.get("authorization", "")
        if task is None or (foreign and correct_authz):  # BUG S2: another token's task is served
            return error(404, "not_found", "No such task.")
        if task["task_id"] in store.half_initialised:  # BUG 11: a KeyError behind a generic handler
            return PlainTextResponse("Internal Server Error: KeyError 'import_state'", status_code=500)
        headers = {"Retry-After": "soon"} if task["status"] in ("queued", "running") else {}  # BUG 9
        return JSONResponse(task, headers=headers)

    async def cancel_task(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        if (refused := lacks(request, "tasks:write")) is not None:
            return refused
        task = store.tasks.get(request.path_params["task_id"])
        if task is None or owners.get(request.path_params["task_id"], "") != request.headers.get("authorization", ""):
            return error(404, "not_found", "No such task.")
        if task["status"] in ("completed", "failed"):
            return error(409, "conflict", "The task has already finished.")
        # BUG 8: should be `del store.tasks[task["task_id"]]`
        return Response(status_code=204)

    # --- customers --------------------------------------------------------------------
    async def search_customers(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        try:
            q = request.query_params.get("q")
            if q is None or not 2 <= len(q) <= 100:
                raise Invalid("q", "is required, 2 to 100 characters")
            country = request.query_params.get("country")
            if country is not None and not re.match(r"^[A-Z]{2}$", country):
                raise Invalid("country", "must be an ISO 3166-1 alpha-2 code")
            limit = query_int(request, "limit", 1, 100, 20)
        except Invalid as exc:
            return error(400, "invalid_request", f"{exc.field}: {exc.message}")
        needle = q.lower()
        found = [c for c in store.customers if (needle in c["name"].lower() or needle in c["email"].lower())
                 and (country is None or c["country"] == country)]
        return JSONResponse(page(found, request.query_params.get("cursor"), limit))

    async def get_customer(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        for customer in store.customers:
            if customer["id"] == request.path_params["customer_id"]:
                return JSONResponse(customer)
        return error(404, "not_found", "No such customer.")

    # --- tickets ----------------------------------------------------------------------
    async def open_ticket(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        if correct_authz and (refused := lacks(request, "tickets:write")) is not None:
            return refused  # BUG S1 when not correct_authz: the scope is never checked
        try:
            body = await read_json(request)
        except Invalid as exc:
            return error(400, "invalid_request", exc.message)
        try:
            if not isinstance(body, dict):
                raise Invalid("", "must be an object")
            only_keys(body, {"customer_id", "subject", "body", "priority"})
            require_string(body, "customer_id", pattern=r"^cus_[A-Za-z0-9]{4,}$")
            require_string(body, "subject", lo=3, hi=150)
            require_string(body, "body", lo=1, hi=5000)
            # BUG 2: `priority` is never validated.
        except Invalid as exc:
            return error(422, "validation_failed", exc.message, [{"field": exc.field, "message": exc.message}])
        priority = body["priority"] if isinstance(body.get("priority"), str) and body["priority"] in PRIORITIES else "normal"
        ticket = {"id": new_id("tkt_", 8), "customer_id": body["customer_id"], "subject": body["subject"],
                  "status": "open", "priority": priority, "created_at": now()}
        store.tickets[ticket["id"]] = ticket
        return JSONResponse(ticket, status_code=201)

    def path(template: str, **handlers: Any) -> Route:
        # One route per path, so a 405 carries the full `Allow` list (RFC 9110 §15.5.6).
        async def dispatch(request: Request) -> Response:
            return await handlers[request.method.lower()](request)  # type: ignore[no-any-return]

        return Route(template, dispatch, methods=[m.upper() for m in handlers])

    routes = [
        path("/invoices", post=create_invoice),
        path("/invoices/{invoice_id}", get=get_invoice),
        path("/tasks", post=create_task, get=list_tasks),
        # planted bug 12: one route per method, so a 405 here names GET's route alone
        Route("/tasks/{task_id}", get_task, methods=["GET"]),
        Route("/tasks/{task_id}", cancel_task, methods=["DELETE"]),
        path("/customers", get=search_customers),
        path("/customers/{customer_id}", get=get_customer),
        path("/tickets", post=open_ticket),
    ]
    return Starlette(routes=routes)


# The planted bugs as (operation, check) pairs `toolcheck fuzz` reports: used by the test and
# the benchmark to count distinct bugs found.
PLANTED = {
    1: ("list_tasks", "server_error"),
    2: ("open_ticket", "negative_accepted"),
    3: ("get_invoice", "status_documented"),
    4: ("create_task", "body_schema"),
    5: ("list_tasks", "auth_not_enforced"),
    6: ("create_task", "error_schema"),
    7: ("create_invoice", "resource_not_readable"),
    8: ("cancel_task", "deleted_still_readable"),
    9: ("get_task", "header_schema"),
    10: ("create_invoice", "server_error"),
    11: ("get_task", "server_error"),
    12: ("get_task", "allow_header"),
}
# Found only when the authz phase is given the read-only identity (see the module docstring).
PLANTED_AUTHZ = {"S1": ("open_ticket", "scope_not_enforced"), "S2": ("get_task", "object_level_authorization")}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--correct-authz", action="store_true", help="fix S1 and S2 (the authz phase's control)")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    print(f"listening on http://{args.host}:{sock.getsockname()[1]}", flush=True)  # noqa: T201
    config = uvicorn.Config(create_app(correct_authz=args.correct_authz), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
