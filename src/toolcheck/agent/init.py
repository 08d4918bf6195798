"""`toolcheck init`: scaffold scenario files that satisfy the agent-tool policy.

One ``<group>.toolcheck.yaml`` per tag (or first path segment). In each, steps run in an order
an agent would use: creators first (their ids become outputs), reads, updates, then deletes;
then one auth-failure step per write that needs auth, a poll for each long-running job, and a
negative step per high-risk operation (an invalid body, an invalid id, or deleting twice).
Values come from the spec's examples when they validate, else from the mock's seeded
generator, so the files run green against ``toolcheck run DIR --mock`` at once and are a
starting point to edit, not a finished suite. Hand-written: the heuristics are the feature.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolcheck.agent._annotations import is_idempotent
from toolcheck.agent._init_values import LiveValues, free_string, response_schema
from toolcheck.agent.names import sanitize_arg
from toolcheck.agent.policy import (
    JOB_STATES,
    high_risk_reason,
    long_running_reason,
    required_scopes,
    requires_auth,
)
from toolcheck.spec import Operation, Spec
from toolcheck.wire.read import form_read_back

TERMINAL = ("completed", "complete", "succeeded", "success", "failed", "failure", "done", "finished",
            "cancelled", "canceled", "errored", "expired", "timed_out", "rejected", "aborted", "stopped",
            "incomplete")
_ORDER = {"post": 0, "get": 1, "put": 2, "patch": 2, "head": 3, "options": 3, "delete": 4}
_NO_ID = object()
_ENVELOPES = ("data", "result", "item", "resource")  # an optional wrapper may still hold the item


def _rank(op: Operation) -> int:
    """Creators first, then reads, updates, deletes. A PUT to an item that documents 201 is a
    creator: the client names the item (RFC 9110 §9.3.4: 201 when the PUT created it)."""
    if op.method == "put" and "201" in op.responses and op.path.rstrip("/").endswith("}"):
        return -1
    return _ORDER.get(op.method, 5)


def _order(op: Operation) -> tuple[int, int]:
    """:func:`_rank`, and among deletes the deepest path first: a sub-resource (a file's
    checkpoint) goes before its parent, whose delete may take it along (a later 404)."""
    return _rank(op), -op.path.count("/") if op.method == "delete" else 0


def _group(op: Operation) -> str:
    if op.tags:
        return op.tags[0]
    segments = [s for s in op.path.split("/") if s and not s.startswith("{")]
    return segments[0] if segments else "root"


def _file_name(group: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-") or "api"


def _input_name(raw: str) -> str:
    """An input name that ``$inputs.NAME`` reads back whole (no '.', which would walk into it)."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_-]+", "_", sanitize_arg(raw).lower())).strip("_") or "value"


def _status(statuses: list[int]) -> Any:
    unique = sorted(set(statuses))
    return unique[0] if len(unique) == 1 else unique


class _Builder:
    def __init__(self, spec: Spec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.skipped: list[str] = []
        self.literals: dict[str, Any] = {}  # inputs of the current scenario that hold literal values
        self.output_kinds: dict[str, Any] = {}  # path parameter -> JSON type of the id chained into it
        self.last_id_kind: Any = None
        self.used: dict[str, Any] = {}  # parameter name -> the value this scenario's first use gave it
        self.live: LiveValues | None = None  # this scenario's live-value rules (set per scenario)
        self.body_schema: Any = None  # the schema of the last body built

    def literal(self, value: Any, name: str = "value") -> Any:
        """``value`` with every string the scenario language would evaluate (``$HF_TOKEN``,
        ``"{$x}"``) moved into an input: input defaults are the one place values stay literal."""
        if isinstance(value, dict):
            return {k: self.literal(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.literal(v, name) for v in value]
        if isinstance(value, str) and (value.startswith("$") or "{$" in value):
            base = _input_name(f"literal_{name}")
            key, n = base, 2
            while key in self.literals and self.literals[key]["default"] != value:
                key, n = f"{base}_{n}", n + 1
            self.literals[key] = {"default": value}
            return f"$inputs.{key}"
        return value

    # --- values ----------------------------------------------------------------------------
    def value(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        from toolcheck.mock import generate_value

        return generate_value(self.spec, schema if schema is not None else {"type": "string"}, rng=self.rng,
                              name=name, depth=depth, direction="request")

    def body(self, op: Operation) -> tuple[Any, str | None]:
        """An example body that validates, else a generated one; ``_NO_ID`` when there is none."""
        body = op.request_body
        if body is None or not body.content:
            return _NO_ID, None
        from toolcheck.agent.tools import _pick_media

        media = _pick_media(body.content)
        if media is None:
            return _NO_ID, None
        self.body_schema = media.schema
        form = media.media_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
        valid = self.spec.validator(media.schema).is_valid if media.schema is not None else (lambda _v: True)
        for example in media.examples.values():
            value = example.get("value") if isinstance(example, dict) and "value" in example else example
            if valid(form_read_back(value) if form else value):
                return form_read_back(value) if form else value, media.media_type
        value = self.value(media.schema)
        # A form cannot say [] or {}: find a value that needs neither. Deep members are generated
        # minimal (empty); starting "shallower" (a negative depth) fills them (Stripe's phases[].items[]).
        for depth in (0, 0, -2, -2, -4, -4) if form else ():
            if valid(form_read_back(value)):
                return form_read_back(value), media.media_type
            value = self.value(media.schema, depth=depth)
        return value, media.media_type

    # --- shape -----------------------------------------------------------------------------
    def item_param(self, creator: Operation, ops: list[Operation]) -> str | None:
        """The path parameter naming one item of the collection ``creator`` adds to."""
        prefix = creator.path.rstrip("/") + "/{"
        for op in ops:
            if op.path.startswith(prefix) and op.path.count("/") == creator.path.rstrip("/").count("/") + 1:
                return op.path[len(prefix):].split("}", 1)[0]
        return None

    def id_field(self, op: Operation, param: str, param_schema: Any = None) -> str | None:
        """The response property of a creator that holds the new item's id for ``param``.

        Scored: same ``pattern`` as the path parameter, then the parameter's own name, ``id``,
        ``sid``/``uuid``, then any ``*_id``. A parameter with a pattern no property shares is
        not chained (a generated value that matches is safer than a wrong id).
        """
        wanted = self.spec.deref(param_schema) if param_schema is not None else {}
        pattern = wanted.get("pattern") if isinstance(wanted, dict) else None
        wanted_type = wanted.get("type") if isinstance(wanted, dict) else None
        best: tuple[int, str] | None = None
        for status in sorted(op.responses):
            if not status.startswith("2"):
                continue
            for media in op.responses[status].content.values():
                for prefix, schema in self._id_holders(media.schema):
                    found = self._score_id(schema, param, pattern, wanted_type)
                    if found is not None and (best is None or found[0] > best[0]):
                        best = (found[0], prefix + found[1])
                        self.last_id_kind = found[2]
        return best[1] if best else None

    def _id_holders(self, schema: Any) -> list[tuple[str, Any]]:
        """The body itself, then each object it wraps the item in (``{data: {gid: ...}}``,
        ``{result: {...}}``): Asana, Cloudflare and JSON:API answer with an envelope."""
        top = self.spec.deref(schema)
        holders: list[tuple[str, Any]] = [("", top)]
        props = top.get("properties") if isinstance(top, dict) else None
        if isinstance(props, dict):
            required = set(top.get("required") or [])
            for key, sub in props.items():
                inner = self.spec.deref(sub)
                if (str(key) in required or str(key) in _ENVELOPES) and isinstance(inner, dict) and isinstance(
                        inner.get("properties"), dict) and inner.get("type") in (None, "object"):
                    holders.append((str(key).replace("~", "~0").replace("/", "~1") + "/", inner))
        return holders

    def _score_id(self, schema: Any, param: str, pattern: Any, wanted_type: Any) -> tuple[int, str, Any] | None:
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(props, dict):
            return None
        best: tuple[int, str, Any] | None = None
        required = set(schema.get("required") or [])
        for key, sub in props.items():
            name = str(key)
            sub_r = self.spec.deref(sub)
            if name not in required and name not in (param, "id", "gid"):
                continue  # an optional field may be absent: chaining on it would break the run
            if isinstance(sub_r, dict) and (sub_r.get("type") in ("object", "array") or "properties" in sub_r):
                continue  # a wrapper named like the id (DigitalOcean's {"floating_ip": {...}}) is no id
            kind = sub_r.get("type") if isinstance(sub_r, dict) else None
            if wanted_type in ("integer", "number") and isinstance(kind, str) and kind not in (
                    "integer", wanted_type):
                continue  # GitHub's runner group `id: number` can be 1.5, the path wants an integer
            score = 0
            if pattern and isinstance(sub_r, dict) and sub_r.get("pattern") == pattern:
                score += 8
            elif pattern:
                continue
            if name == param:
                score += 4
            elif name in ("id", "gid"):  # Asana's global ids are `gid`
                score += 3
            elif name.lower() in ("sid", "uuid", "key", "name"):
                score += 2
            elif name.endswith(("_id", "Id", "Sid", "_gid")):
                score += 1
            if score and (best is None or score > best[0]):
                best = (score, name, kind)
        return best

    def terminal_states(self, op: Operation) -> list[str]:
        from toolcheck.agent.policy import _enum_values
        from toolcheck.mock.state import lifecycle

        for status in sorted(op.responses):
            if status.startswith("2"):
                for media in op.responses[status].content.values():
                    schema = self.spec.deref(media.schema)
                    props = schema.get("properties") if isinstance(schema, dict) else None
                    if isinstance(props, dict) and "status" in props:
                        values = [str(v) for v in _enum_values(self.spec, props["status"])]
                        done = [v for v in values if v.lower() in TERMINAL]
                        # The job must be able to finish: its last stage (as the mock walks
                        # them) is one of `done` (Twilio's message ends at 'delivered', which
                        # no poll for failed/canceled would wait for).
                        state = self.spec.deref(props["status"])
                        scripted = state.get("x-toolcheck-lifecycle") if isinstance(state, dict) else None
                        stages = [str(v) for v in scripted] if isinstance(scripted, list) else lifecycle(values)
                        if done and len({v.lower() for v in values} & JOB_STATES) >= 2 and stages and stages[-1] in done:
                            return done
        return []


def _path_schema(spec: Spec, creator: Operation, param: str) -> Any:
    """The schema of path parameter ``param`` on the item operations under ``creator``'s path."""
    prefix = creator.path.rstrip("/") + "/{" + param + "}"
    for op in spec.operations:
        if op.path.startswith(prefix):
            found = op.parameter(param, "path")
            if found is not None:
                return found.schema
    return None


def _invalid_for(spec: Spec, schema: Any) -> str | None:
    """A path value the parameter's schema rejects, when it constrains anything."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict):
        return None
    kind = resolved.get("type")
    if kind in ("integer", "number"):
        return "not-a-number"
    if "enum" in resolved:
        return "not-one-of-the-values"
    if resolved.get("pattern") or resolved.get("format") in ("uuid",) or resolved.get("minLength", 0) > 12:
        candidate = "invalid-id"
        if not spec.validator(resolved).is_valid(candidate):
            return candidate
    return None


def scaffold(spec: Spec, out_dir: str | Path, *, spec_path: str | None = None, seed: int = 0,
             operations: Iterable[Operation] | None = None, notes: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Scenario documents per file name (not written; see :func:`write_scaffold`).

    Args:
        notes: when given, receives one line per operation left out or left without a
            negative step, and why.
    """
    builder = _Builder(spec, seed)
    chosen = [op for op in (operations if operations is not None else spec.operations) if not op.webhook]
    groups: dict[str, list[Operation]] = {}
    for op in chosen:
        groups.setdefault(_group(op), []).append(op)
    target = Path(out_dir)
    rel_spec = os.path.relpath(Path(spec_path or spec.source).resolve(), target.resolve()).replace(os.sep, "/")
    documents: dict[str, dict[str, Any]] = {}
    for group, ops in groups.items():
        doc = _scenario(builder, group, sorted(ops, key=_order), rel_spec, spec)
        if doc["steps"]:
            name = _file_name(group)
            n = 2
            while f"{name}.toolcheck.yaml" in documents:
                name = f"{_file_name(group)}-{n}"
                n += 1
            documents[f"{name}.toolcheck.yaml"] = doc
    if notes is not None:
        notes.extend(builder.skipped)
    return documents


def _scenario(b: _Builder, group: str, ops: list[Operation], rel_spec: str, spec: Spec) -> dict[str, Any]:
    schemes: set[str] = set()
    for op in ops:
        for alt in op.security[:1]:
            schemes.update(alt)
    inputs: dict[str, Any] = {}
    auth: dict[str, str] = {}
    b.literals = {}
    b.output_kinds = {}
    b.used = {}
    for name in sorted(schemes):
        scheme = spec.security_schemes.get(name)
        default = "user:password" if scheme is not None and scheme.scheme.lower() == "basic" else "demo-token-0001"
        if scheme is not None and "jwt" in scheme.bearer_format.lower():
            default = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.c2ln"
        key = _input_name(f"{name}_credential")
        inputs[key] = {"env": re.sub(r"[^A-Z0-9]+", "_", f"TOOLCHECK_{name}".upper()), "default": default,
                       "format": "password"}
        auth[name] = f"$inputs.{key}"
    ids: set[str] = set()

    def step_id(base: str) -> str:
        sid = re.sub(r"[^A-Za-z0-9_]+", "_", base).strip("_") or "step"
        out, n = sid, 2
        while out in ids:
            out, n = f"{sid}_{n}", n + 1
        ids.add(out)
        return out

    outputs: dict[str, str] = {}  # path parameter name -> expression of a created id
    lookups: dict[str, dict[str, Any]] = {}  # listing operation key -> the step that reads it

    def add_lookup(listing: Operation, name: str, pointer: str) -> str:
        step = lookups.get(listing.key)
        if step is None:
            statuses = [int(s) for s in listing.success_statuses if s.isdigit()] or [200]
            step = lookups[listing.key] = {"id": step_id(f"{listing.operation_id}_lookup"),
                                           "operation": listing.operation_id,
                                           "description": "reads a value the server accepts (see the outputs)",
                                           "expect": {"status": _status(statuses)}, "outputs": {}}
        key = _input_name(name)
        step["outputs"][key] = f"$response.body#{pointer}"
        return f"$steps.{step['id']}.outputs.{key}"

    creators: dict[str, tuple[dict[str, Any], Operation, str]] = {}  # path parameter -> its creator step

    def chain(op: Operation, pointer: tuple[str, ...]) -> str | None:
        """The created item's own value at ``pointer``, read from its creator's response, when
        ``op`` addresses that item and the creator documents the field (absent at run time, it
        is left out of the body)."""
        for p in op.parameters:
            if p.location != "path" or p.name not in creators or not outputs.get(p.name, "").startswith("$steps."):
                continue
            step, creator, prefix = creators[p.name]
            base = response_schema(creator)
            for key in prefix.strip("/").split("/") if prefix else []:
                base = (b.spec.deref(base).get("properties") or {}).get(key.replace("~1", "/").replace("~0", "~"))
            if b.live is None or not b.live.holds(base, pointer):
                continue
            name = _input_name("_".join(pointer))
            step.setdefault("outputs", {})[name] = "$response.body#/" + prefix + "/".join(
                k.replace("~", "~0").replace("/", "~1") for k in pointer)
            return f"$steps.{step['id']}.outputs.{name}"
        return None

    b.live = LiveValues(spec, add_lookup, chain)
    happy: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    requests: dict[str, dict[str, Any]] = {}
    for op in ops:
        if op.key in requests:
            continue  # already called (the poll step of a job it reports on)
        try:
            request = _request(b, op, outputs)
        except Exception as exc:  # GenerationError and odd schemas: leave the operation out, say why
            b.skipped.append(f"{op.key}: {exc}")
            continue
        requests[op.key] = request
        success = [int(s) for s in op.success_statuses if s.isdigit()] or sorted(
            int(s) for s in op.responses if s.isdigit() and s.startswith("3")) or [200]
        chained = any(isinstance(v, str) and v.startswith("$steps.") for v in request.get("params", {}).values())
        expect_status = list(success)
        if op.method == "get" and not chained and any(p.location == "path" for p in op.parameters) and "404" in op.responses:
            expect_status.append(404)  # an id the scenario did not create may not exist on a real server
        if op.method == "delete" and "409" in op.responses:
            expect_status.append(409)  # a finished job may refuse to be cancelled
        sid = step_id(op.operation_id)
        step: dict[str, Any] = {"id": sid, "operation": op.operation_id, **request,
                                "expect": {"status": _status(expect_status)}}
        if op.method == "post":
            param = b.item_param(op, list(spec.operations))
            field = b.id_field(op, param, _path_schema(spec, op, param)) if param else None
            if param and field:
                step["outputs"] = {param: f"$response.body#/{field}"}
                outputs[param] = f"$steps.{sid}.outputs.{param}"
                creators[param] = (step, op, field.rsplit("/", 1)[0] + "/" if "/" in field else "")
                b.output_kinds[param] = b.last_id_kind
        lr = long_running_reason(spec, op)
        if lr:
            getter = next((o for o in spec.operations if o.method == "get" and o.path.startswith(op.path.rstrip("/") + "/{")
                           and o.path.count("/") == op.path.rstrip("/").count("/") + 1), None)
            done = b.terminal_states(getter or op)
            if getter is None and done and op.method == "get" and op.path.rstrip("/").endswith("}") and all(
                    p.location != "path" or p.name in outputs for p in op.parameters):
                # only an item the scenario created advances: an id it made up (or a sub-resource
                # such as /databases/{id}/migration) reads as any state, forever
                step["poll"] = _poll(done)
            elif getter is not None and done and getter.key not in requests and all(
                    p.location != "path" or p.name in outputs for p in getter.parameters):
                happy.append(step)
                poll_req = _request(b, getter, outputs)
                requests[getter.key] = poll_req
                happy.append({"id": step_id(f"{getter.operation_id}_until_done"), "operation": getter.operation_id,
                              **poll_req, "poll": _poll(done), "timeout": "5s",
                              "expect": {"status": _status([int(s) for s in getter.success_statuses if s.isdigit()] or [200])}})
                continue
            elif not (getter is not None and getter.key in requests):
                step["timeout"] = "10s"
                if is_idempotent(op):
                    step["retry"] = 2
                else:
                    # A retry after a timeout would run a non-idempotent call twice (send the
                    # email twice): leave the long-running gap visible instead.
                    b.skipped.append(f"{op.operation_id} ({op.key}): no retry written, the operation is not "
                                 "idempotent and takes no idempotency key; add a poll on its status")
        happy.append(step)
    for op in ops:
        if op.key not in requests:
            continue
        request = requests[op.key]
        if op.is_write and requires_auth(op):
            codes = [c for c in (401, 403) if str(c) in op.responses] or [401]
            auth_step: dict[str, Any] = {"id": step_id(f"{op.operation_id}_requires_auth"), "operation": op.operation_id,
                                         **request, "auth": "none",
                                         "expect": {"status": _status(codes if 401 in codes else [401, *codes])}}
            if not ({"401", "403", "4XX", "4xx"} & set(op.responses)):
                auth_step["description"] = (f"{op.key} documents no 401: document it; until then any 4xx "
                                             "passes and an undocumented 401/403 is a warning")
                auth_step["contract"] = "warning"
                auth_step["expect"] = {"status": "4xx"}  # AWS answers its own 495 InvalidSignature...
            extra.append(auth_step)
        needed = required_scopes(op)
        if op.is_write and needed:
            # least privilege: the scopes the same resource's reads need, none of the write's own
            reads = [s for other in ops if not other.is_write and other.path.split("/{")[0] == op.path.split("/{")[0]
                     for s in required_scopes(other) if s not in needed]
            extra.append({"id": step_id(f"{op.operation_id}_refuses_narrow_token"), "operation": op.operation_id,
                          **request, "auth": {"scopes": list(dict.fromkeys(reads)), "profile": "reader"},
                          "description": f"a token without {', '.join(needed)} must be refused (on a live target: "
                                         "--auth-profile reader:SCHEME=TOKEN with a narrower token)",
                          # RFC 6750 §3.1: a valid token lacking a scope is 403 (401 only where that is all it documents)
                          "expect": {"status": 401 if "401" in op.responses and "403" not in op.responses else 403}})
        if high_risk_reason(op):
            negative = _negative(b, op, request)
            if negative is not None:
                extra.append({"id": step_id(f"{op.operation_id}_rejects_bad_request"), **negative})
            else:
                b.skipped.append(f"{op.key}: no negative step (no documented 400/422/404 to expect)")
    doc: dict[str, Any] = {"toolcheck": "1.0", "name": f"{group} (scaffolded by toolcheck init)", "spec": rel_spec}
    if inputs or b.literals:
        doc["inputs"] = {**inputs, **b.literals}
    if auth:
        doc["auth"] = auth
    doc["steps"] = list(lookups.values()) + happy + extra
    return doc


def _poll(done: list[str]) -> dict[str, Any]:
    until = " || ".join(f"$response.body#/status == '{state}'" for state in done)
    # Retry-After is honoured but capped (max_interval): a scaffold should finish in seconds
    # against the mock; raise max_interval/max_time for real long jobs.
    return {"until": until, "interval": "20ms", "max_interval": "1s", "max_attempts": 50, "max_time": "30s"}


def _fits(spec: Spec, schema: Any, kind: Any) -> bool:
    """Whether an id of JSON type ``kind`` suits a path parameter: GitLab types a project's
    ``id`` a string, and most of its paths too, but an integer on a few."""
    wanted = spec.deref(schema).get("type") if isinstance(spec.deref(schema), dict) else None
    return not (wanted in ("integer", "number") and isinstance(kind, str) and kind not in ("integer", wanted))


def _request(b: _Builder, op: Operation, outputs: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for p in op.parameters:
        if p.location == "path" and p.name in outputs and _fits(b.spec, p.schema, b.output_kinds.get(p.name)):
            params[p.name] = outputs[p.name]
        elif p.name in b.used and p.location in ("path", "query") and b.spec.validator(p.schema).is_valid(
                b.used[p.name]):
            # the value an earlier step used: a live API knows the item (or file, or name) it
            # made there, not a fresh random one (issue 17)
            params[p.name] = b.literal(b.used[p.name], p.name)
        elif p.required or p.location == "path":
            value = b.value(p.schema, p.name)
            free = free_string(b.spec, p.schema) if p.location == "query" else None
            choices = b.live.allowed(op, p.name, free, p.description, True) if b.live is not None and free else []
            value = value if not choices or value in choices else choices[0]
            if p.location in ("path", "query"):
                b.used.setdefault(p.name, value)
            params[p.name] = b.literal(value, p.name)
    request: dict[str, Any] = {}
    if params:
        request["params"] = params
    body, media = b.body(op)
    if body is not _NO_ID:
        request["body"] = b.literal(body)
        if b.live is not None:
            request["body"] = b.live.body(op, request["body"], b.body_schema, params, outputs)
        if media and media.split(";")[0].strip().lower() != "application/json":
            request["content_type"] = media
    return request


def _negative(b: _Builder, op: Operation, request: dict[str, Any]) -> dict[str, Any] | None:
    """A request the API must refuse with a 4xx (not 401/403): bad body, bad id, or gone."""
    def documented(*codes: int) -> list[int]:
        return [c for c in codes if op.response_for(c) is not None]

    body = op.request_body
    invalid = documented(400, 422)
    if invalid and body is not None and "body" in request and isinstance(request["body"], dict):
        found = _bad_body(b, op)
        if found is not None:
            bad, why = found
            return {"operation": op.operation_id, **{k: v for k, v in request.items() if k != "body"}, "body": bad,
                    "description": why, "expect": {"status": _status(invalid)}}
    for p in op.parameters:
        if p.location == "path":
            bad = _invalid_for(b.spec, p.schema) if invalid else None
            if bad is not None:
                params = dict(request.get("params") or {})
                params[p.name] = bad
                return {"operation": op.operation_id, **request, "params": params,
                        "description": f"an invalid {p.name}",
                        "expect": {"status": _status(documented(400, 404, 422))}}
    # Not 409: a conflict says nothing about a repeated DELETE. A 404 the operation documents
    # is what a second delete gets from most servers; 410 only when it is the one documented.
    explicit = [c for c in (404, 410) if str(c) in op.responses]
    gone = [404] if 404 in explicit else explicit or ([404] if op.response_for(404) is not None else [])
    if op.method == "delete" and op.path.rstrip("/").endswith("}") and "params" in request and gone:
        return {"operation": op.operation_id, **request, "description": "deleting it again: it is gone",
                "expect": {"status": _status(gone)}}
    return _undocumented_negative(b, op, request)


def _bad_body(b: _Builder, op: Operation) -> tuple[Any, str] | None:
    """A body the operation's schema rejects, and what is wrong with it; None if it takes any
    of them (GitHub's DELETE /user/emails takes an object, an array or a string)."""
    from toolcheck.agent.tools import _pick_media

    media = _pick_media(op.request_body.content) if op.request_body is not None else None
    if media is None:
        return None
    schema = b.spec.deref(media.schema)
    # {} in a form is no body at all, which an optional body allows (Twilio's CreatePayments)
    empty_is_absent = media.media_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
    candidates: list[tuple[Any, str]] = [({}, "required fields missing")] if isinstance(schema, dict) and schema.get(
        "required") and (op.request_body is not None and op.request_body.required or not empty_is_absent) else []
    candidates += [("not an object", "a body of the wrong type"), (12345, "a body of the wrong type")]
    if media.schema is None:
        return candidates[0]
    valid = b.spec.validator(media.schema).is_valid
    return next(((bad, why) for bad, why in candidates if not valid(bad)), None)


def _undocumented_negative(b: _Builder, op: Operation, request: dict[str, Any]) -> dict[str, Any] | None:
    """The spec documents no 4xx to expect: still test that bad input fails, expecting any 4xx,
    with the contract check relaxed to a warning on this step (lint's error-schema-missing says
    why the spec should document it)."""
    why = f"{op.key} documents no 4xx for this: any 4xx passes, the undocumented status is a warning"
    common = {"operation": op.operation_id, "contract": "warning", "expect": {"status": "4xx"}}
    found = _bad_body(b, op) if op.request_body is not None and isinstance(request.get("body"), dict) else None
    if found is not None:
        return {**common, **{k: v for k, v in request.items() if k != "body"}, "body": found[0],
                "description": f"{found[1]}; {why}", "expect": {"status": "4xx"}}
    # No "deleting it again" here: with no 404/409/410 documented, a repeated DELETE that
    # succeeds again is correct HTTP (idempotent, RFC 9110 §9.2.2), and the mock answers so.
    for p in op.parameters:
        if p.location == "path":
            bad = _invalid_for(b.spec, p.schema)
            if bad is not None:
                return {**common, **request, "params": {**(request.get("params") or {}), p.name: bad},
                        "description": f"an invalid {p.name}; {why}", "expect": {"status": "4xx"}}
    return None


def _dumper() -> Any:
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # no &id001 anchors: files are for people
            return True

    return Dumper


def write_scaffold(documents: dict[str, dict[str, Any]], out_dir: str | Path, *, force: bool = False) -> list[Path]:
    """Write the documents as YAML; existing files are kept unless ``force``.

    Returns:
        The files written.
    """
    import yaml

    from toolcheck.agent._files import write_atomic

    target = Path(out_dir)
    written = []
    for name, doc in documents.items():
        path = target / name
        if path.exists() and not force:
            continue
        header = ("# Scaffolded by `toolcheck init`: edit freely. Run with `toolcheck run "
                  f"{target.as_posix()} --mock`,\n# check coverage with `toolcheck policy SPEC --scenarios {target.as_posix()}`.\n")
        text = yaml.dump(doc, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)
        write_atomic(path, header + text)
        written.append(path)
    return written
