"""Arazzo 1.0 / 1.1 documents, loaded natively into runnable :class:`Scenario` objects.

Hand-written against the Arazzo 1.1 text (no Python Arazzo runner checks responses against the
spec or follows RFC 9535 for criteria; ``../shared/research/scenarios.md`` §3.4). Covered:
``sourceDescriptions`` (relative paths resolved beside the document; ``--source name=path``
overrides any, remote ones must be overridden), ``operationId`` (plain or
``$sourceDescriptions.NAME.opId``), ``operationPath`` (``{$sourceDescriptions.NAME.url}#/paths/...``),
``workflowId`` sub-workflow steps, workflow- and step-level ``parameters`` (with
``reference: $components.parameters.X``), ``requestBody`` (``payload`` as a value or a JSON
template string), ``successCriteria`` (simple / regex / jsonpath), ``onSuccess``/``onFailure``
(end / goto / retry, also as ``$components`` references and workflow-level defaults),
``outputs`` and ``components.inputs``. Workflows that another workflow calls run only through
their callers (``--workflow ID`` runs any one directly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.errors import ScenarioError
from toolcheck.scenarios._locator import Locator
from toolcheck.scenarios.expressions import ExpressionError, Selector, as_selector, parse_condition
from toolcheck.scenarios.model import MAX_RETRIES, Action, Criterion, Input, Output, Param, Scenario, Step

SUPPORTED = ("1.0", "1.1")


def load_arazzo(data: dict[str, Any], text: str, path: Path, *, locator: Locator | None = None) -> list[Scenario]:
    """One Scenario per workflow of an Arazzo document.

    Raises:
        ScenarioError: the document is not a valid Arazzo 1.0/1.1 description (file:line).
    """
    loc = locator or Locator(path, text)
    version = str(data.get("arazzo", ""))
    if not any(version == v or version.startswith(v + ".") for v in SUPPORTED):
        raise ScenarioError(f"unsupported Arazzo version {version!r}; toolcheck runs 1.0.x and 1.1.x.", location=loc.at("/arazzo"))
    for key in ("info", "sourceDescriptions", "workflows"):
        if key not in data:
            raise ScenarioError(f"an Arazzo document needs `{key}`.", location=f"{path}:1")
    sources: dict[str, str] = {}
    raw_sources = data["sourceDescriptions"]
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ScenarioError("`sourceDescriptions` must be a non-empty list.", location=loc.at("/sourceDescriptions"))
    for i, src in enumerate(raw_sources):
        if not isinstance(src, dict) or "name" not in src or "url" not in src:
            raise ScenarioError("each source description needs `name` and `url`.", location=loc.at(f"/sourceDescriptions/{i}"))
        url = str(src["url"])
        sources[str(src["name"])] = url if "://" in url else str((path.parent / url).resolve())
        if src.get("type") == "arazzo":
            raise ScenarioError("Arazzo source descriptions (workflows in other documents) are not supported yet.",
                                location=loc.at(f"/sourceDescriptions/{i}"))
    components = data.get("components") or {}
    workflows_raw = data["workflows"]
    if not isinstance(workflows_raw, list) or not workflows_raw:
        raise ScenarioError("`workflows` must be a non-empty list.", location=loc.at("/workflows"))
    loader = _Loader(data, loc, sources, components, path)
    scenarios = [loader.workflow(wf, i) for i, wf in enumerate(workflows_raw)]
    by_id: dict[str, Scenario] = {s.workflow_id: s for s in scenarios if s.workflow_id}
    called: set[str] = set()
    for s in scenarios:
        for step in s.steps:
            if step.workflow:
                called.add(step.workflow)
            for action in (*step.on_success, *step.on_failure):
                if action.workflow_id:
                    called.add(action.workflow_id)
    for s in scenarios:
        s.workflows = by_id
        s.callable_only = s.workflow_id in called
        for step in s.steps:
            if step.workflow and step.workflow not in by_id:
                raise ScenarioError(f"step {step.id!r} calls unknown workflow {step.workflow!r}.", location=f"{path}:{step.line}")
    return scenarios


class _Loader:
    def __init__(self, doc: dict[str, Any], loc: Locator, sources: dict[str, str], components: dict[str, Any],
                 path: Path) -> None:
        self.doc = doc
        self.loc = loc
        self.sources = sources
        self.components = components
        self.path = path

    def resolve_ref(self, value: Any, depth: int = 0) -> Any:
        """Inline local ``$ref``s (components.inputs) in an input schema, bounded."""
        if depth > 16:
            return value
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
                from toolcheck.scenarios.expressions import resolve_pointer

                target = resolve_pointer(self.doc, value["$ref"][1:])
                if target is ABSENT:
                    raise ScenarioError(f"$ref {value['$ref']!r} points at nothing.", location=self.path.as_posix())
                return self.resolve_ref(target, depth + 1)
            return {k: self.resolve_ref(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve_ref(v, depth + 1) for v in value]
        return value

    def workflow(self, wf: Any, i: int) -> Scenario:
        ptr = f"/workflows/{i}"
        if not isinstance(wf, dict) or "workflowId" not in wf or not isinstance(wf.get("steps"), list) or not wf["steps"]:
            raise ScenarioError("a workflow needs `workflowId` and a non-empty `steps` list.", location=self.loc.at(ptr))
        schema = self.resolve_ref(wf.get("inputs")) if wf.get("inputs") is not None else None
        inputs: dict[str, Input] = {}
        if isinstance(schema, dict):
            # Required inputs are not refused up front: a missing one is null, as in other runners.
            for name, prop in (schema.get("properties") or {}).items():
                prop = prop if isinstance(prop, dict) else {}
                inputs[name] = Input(name=name, default=prop.get("default", ABSENT),
                                     secret=prop.get("format") == "password", schema=prop)
        defaults_ok = [self.action(a, f"{ptr}/successActions/{j}", "success") for j, a in enumerate(wf.get("successActions") or [])]
        defaults_ko = [self.action(a, f"{ptr}/failureActions/{j}", "failure") for j, a in enumerate(wf.get("failureActions") or [])]
        seen: set[str] = set()
        steps = []
        for j, raw in enumerate(wf["steps"]):
            step = self.step(raw, f"{ptr}/steps/{j}", tuple(defaults_ok), tuple(defaults_ko))
            if step.id in seen:
                raise ScenarioError(f"stepId {step.id!r} is used twice in workflow {wf['workflowId']!r}.", location=f"{self.path}:{step.line}")
            seen.add(step.id)
            steps.append(step)
        title = (self.doc.get("info") or {}).get("title") or self.path.name
        depends = tuple(str(d) for d in (wf.get("dependsOn") or []))
        return Scenario(
            name=f"{title} › {wf['workflowId']}", file=str(self.path), kind="arazzo", line=self.loc.line(ptr),
            sources=dict(self.sources), inputs=inputs, input_schema=schema, steps=steps,
            outputs={str(k): as_selector(v) if isinstance(v, dict) else str(v) for k, v in (wf.get("outputs") or {}).items()},
            parameters=tuple(self.params(wf.get("parameters") or [], f"{ptr}/parameters")),
            components=self.components, workflow_id=str(wf["workflowId"]), depends_on=depends,
            auth=_x_security(wf.get("x-security")),
        )

    def params(self, raw: list[Any], ptr: str) -> list[Param]:
        out: list[Param] = []
        for k, p in enumerate(raw):
            if not isinstance(p, dict):
                raise ScenarioError("a parameter is a mapping with `name` and `value`.", location=self.loc.at(f"{ptr}/{k}"))
            if "reference" in p:
                ref = self.component(str(p["reference"]), f"{ptr}/{k}")
                p = {**ref, **({"value": p["value"]} if "value" in p else {})}
            if "name" not in p:
                raise ScenarioError("a parameter needs `name`.", location=self.loc.at(f"{ptr}/{k}"))
            out.append(Param(str(p["name"]), as_selector(p.get("value")), p.get("in")))
        return out

    def component(self, reference: str, ptr: str) -> dict[str, Any]:
        parts = reference.split(".")
        if len(parts) != 3 or parts[0] != "$components":
            raise ScenarioError(f"reference {reference!r} is not $components.KIND.NAME.", location=self.loc.at(ptr))
        value = (self.components.get(parts[1]) or {}).get(parts[2])
        if not isinstance(value, dict):
            raise ScenarioError(f"reference {reference!r} points at nothing in `components`.", location=self.loc.at(ptr))
        return value

    def criteria(self, raw: Any, ptr: str) -> tuple[Criterion, ...]:
        out: list[Criterion] = []
        for k, c in enumerate(raw or []):
            if not isinstance(c, dict) or "condition" not in c:
                raise ScenarioError("a criterion needs `condition`.", location=self.loc.at(f"{ptr}/{k}"))
            kind = c.get("type", "simple")
            if isinstance(kind, dict):  # Criterion Expression Type Object
                kind = kind.get("type", "simple")
            kind = str(kind)
            if kind not in ("simple", "regex", "jsonpath", "xpath"):
                raise ScenarioError(f"unknown criterion type {kind!r}.", location=self.loc.at(f"{ptr}/{k}/type"))
            condition = str(c["condition"])
            try:
                if kind == "simple":
                    parse_condition(condition)
                elif kind == "jsonpath":
                    from toolcheck.scenarios._jsonpath import compiled_path

                    compiled_path(condition)
                elif kind == "regex":
                    from toolcheck.saferegex import compile_safe

                    compile_safe(condition)  # RE2: linear time on untrusted patterns
            except (ExpressionError, ValueError) as exc:
                raise ScenarioError(str(exc), location=self.loc.at(f"{ptr}/{k}/condition")) from None
            if kind != "simple" and not c.get("context"):
                raise ScenarioError(f"a {kind} criterion needs `context`.", location=self.loc.at(f"{ptr}/{k}"))
            out.append(Criterion(condition, c.get("context"), kind))
        return tuple(out)

    def action(self, raw: Any, ptr: str, kind: str) -> Action:
        if isinstance(raw, dict) and "reference" in raw:
            raw = self.component(str(raw["reference"]), ptr)
        if not isinstance(raw, dict) or raw.get("type") not in ("end", "goto", "retry"):
            raise ScenarioError(f"a {kind} action needs `type` end, goto or retry.", location=self.loc.at(ptr))
        if raw["type"] == "retry" and kind == "success":
            raise ScenarioError("`retry` is a failure action only.", location=self.loc.at(ptr))
        if raw["type"] == "goto" and not (raw.get("stepId") or raw.get("workflowId")):
            raise ScenarioError("a goto action needs `stepId` or `workflowId`.", location=self.loc.at(ptr))
        limit = raw.get("retryLimit")
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > MAX_RETRIES:
            raise ScenarioError(f"retryLimit is {limit}; the limit is {MAX_RETRIES} (see docs/security.md).",
                                location=self.loc.at(f"{ptr}/retryLimit"))
        return Action(
            name=str(raw.get("name", raw["type"])), type=raw["type"], step_id=raw.get("stepId"),
            workflow_id=raw.get("workflowId"), retry_after=float(raw.get("retryAfter", 0) or 0),
            retry_limit=int(raw.get("retryLimit", 1) if raw.get("retryLimit") is not None else 1),
            criteria=self.criteria(raw.get("criteria"), f"{ptr}/criteria"),
        )

    def step(self, raw: Any, ptr: str, ok_defaults: tuple[Action, ...], ko_defaults: tuple[Action, ...]) -> Step:
        line = self.loc.line(ptr)
        if not isinstance(raw, dict) or "stepId" not in raw:
            raise ScenarioError("a step needs `stepId`.", location=f"{self.path}:{line}")
        targets = [k for k in ("operationId", "operationPath", "workflowId") if k in raw]
        if len(targets) != 1:
            raise ScenarioError("a step needs exactly one of operationId, operationPath or workflowId.",
                                location=f"{self.path}:{line}")
        source = operation = operation_path = workflow = None
        if "operationId" in raw:
            operation = str(raw["operationId"])
            if operation.startswith("$sourceDescriptions."):
                rest = operation[len("$sourceDescriptions."):]
                name, _, op = rest.partition(".")
                if name not in self.sources:
                    raise ScenarioError(f"operationId {operation!r} names unknown source {name!r}.", location=self.loc.at(ptr + "/operationId"))
                source, operation = name, op
        elif "operationPath" in raw:
            text = str(raw["operationPath"])
            head, _, pointer = text.partition("#")
            if head.startswith("{$sourceDescriptions.") and head.endswith(".url}"):
                source = head[len("{$sourceDescriptions."):-len(".url}")]
            elif len(self.sources) == 1:
                source = next(iter(self.sources))
            if source not in self.sources or not pointer:
                raise ScenarioError(f"operationPath {text!r} must be {{$sourceDescriptions.NAME.url}}#/paths/...", location=self.loc.at(ptr + "/operationPath"))
            operation_path = "#" + pointer
        else:
            workflow = str(raw["workflowId"])
        body: Any = ABSENT
        content_type = None
        request_body = raw.get("requestBody")
        if isinstance(request_body, dict):
            content_type = request_body.get("contentType")
            body = _payload(request_body.get("payload", ABSENT))
        outputs: dict[str, Output] = {}
        for k, v in (raw.get("outputs") or {}).items():
            selected = as_selector(v)
            outputs[str(k)] = Output(selected if isinstance(selected, Selector) else str(v))
        replacements: tuple[tuple[str, Any], ...] = ()
        if isinstance(request_body, dict):
            replacements = tuple((str(r.get("target", "")), as_selector(r.get("value")))
                                 for r in request_body.get("replacements") or [] if isinstance(r, dict))
        auth: Any = _x_security(raw.get("x-security")) or "default"
        identity = raw.get("x-toolcheck-auth")  # `{scopes: [...], profile: NAME}`, as a scenario step's `auth`
        if isinstance(identity, dict) and identity and set(identity) <= {"scopes", "profile", "subject"}:
            auth = dict(identity)
        return Step(
            id=str(raw["stepId"]), line=line, description=str(raw.get("description", "")), operation=operation,
            operation_path=operation_path, source=source, workflow=workflow,
            params=tuple(self.params(raw.get("parameters") or [], ptr + "/parameters")), body=body,
            content_type=content_type, outputs=outputs, replacements=replacements, auth=auth,
            criteria=self.criteria(raw.get("successCriteria"), ptr + "/successCriteria"),
            on_success=tuple(self.action(a, f"{ptr}/onSuccess/{k}", "success") for k, a in enumerate(raw.get("onSuccess") or [])) or ok_defaults,
            on_failure=tuple(self.action(a, f"{ptr}/onFailure/{k}", "failure") for k, a in enumerate(raw.get("onFailure") or [])) or ko_defaults,
        )


def _x_security(raw: Any) -> dict[str, Any]:
    """Redocly Respect's ``x-security`` (``[{schemeName, values: {token|accessToken|apiKey|
    username+password}}]``) as toolcheck credentials per scheme."""
    out: dict[str, Any] = {}
    for item in raw or []:
        if not isinstance(item, dict) or "schemeName" not in item:
            continue
        values = item.get("values") or {}
        token = values.get("token", values.get("accessToken", values.get("apiKey", values.get("value"))))
        if "username" in values:
            out[str(item["schemeName"])] = {"username": values.get("username"), "password": values.get("password", "")}
        elif token is not None:
            out[str(item["schemeName"])] = token
    return out


def _payload(value: Any) -> Any:
    """A payload given as a JSON text template becomes structure, so ``"{$inputs.x}"`` keeps its type."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
