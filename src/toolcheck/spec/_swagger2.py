"""Swagger 2.0 → OpenAPI 3.0 shape (schemas are then normalised like any 3.0 schema).

Follows the mapping of the OpenAPI 3.0 specification's changes from 2.0: ``definitions`` →
``components.schemas``; ``body`` parameters → ``requestBody`` for each ``consumes`` type;
``formData`` parameters → one object schema under ``application/x-www-form-urlencoded`` (or
``multipart/form-data`` when a file is sent or consumes says so); response ``schema`` →
``content`` for each ``produces`` type; ``collectionFormat`` → ``style``/``explode``;
``securityDefinitions`` → ``securitySchemes``; ``host``/``basePath``/``schemes`` → ``servers``.
"""

from __future__ import annotations

import copy
from typing import Any

from toolcheck.spec._pointer import resolve_pointer
from toolcheck.spec.model import HTTP_METHODS

_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "multipleOf", "x-nullable",
)
_COLLECTION = {
    "csv": ("form", False), "ssv": ("spaceDelimited", False), "tsv": ("form", False),
    "pipes": ("pipeDelimited", False), "multi": ("form", True),
}
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/responses/", "#/components/responses/"),
    ("#/securityDefinitions/", "#/components/securitySchemes/"),
)


def convert(doc: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Return a 3.0-shaped copy of a 2.0 document and a list of (severity, pointer, message)."""
    problems: list[tuple[str, str, str]] = []
    consumes = _strings(doc.get("consumes")) or ["application/json"]
    produces = _strings(doc.get("produces")) or ["application/json"]
    global_params = doc.get("parameters") if isinstance(doc.get("parameters"), dict) else {}

    def deref_param(param: Any, pointer: str) -> Any:
        """Inline parameter and response references (2.0 needs them to classify body/form)."""
        hops = 0
        while isinstance(param, dict) and isinstance(param.get("$ref"), str) and hops < 16:
            ref = param["$ref"]
            hops += 1
            if ref.startswith(("#/parameters/", "#/responses/", "#/components/")):
                try:
                    param = resolve_pointer(doc, ref[1:])
                except KeyError:
                    problems.append(("error", pointer, f"$ref {ref!r} points at nothing"))
                    return None
            else:
                return param
        return param

    out: dict[str, Any] = {k: v for k, v in doc.items() if k.startswith("x-") or k in ("info", "tags", "externalDocs")}
    out["openapi"] = "3.0.3"
    out["x-toolcheck-converted-from"] = str(doc.get("swagger"))
    out["servers"] = _servers(doc)
    if "security" in doc:
        out["security"] = doc["security"]

    paths_out: dict[str, Any] = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            paths_out[path] = item
            continue
        new_item: dict[str, Any] = {k: v for k, v in item.items() if k.startswith("x-") or k == "$ref"}
        shared = [deref_param(p, f"/paths/{path}/parameters") for p in item.get("parameters") or []]
        shared_nonbody = [_param(p) for p in shared if isinstance(p, dict) and p.get("in") not in ("body", "formData")]
        if shared_nonbody:
            new_item["parameters"] = shared_nonbody
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_consumes = _strings(op.get("consumes")) or consumes
            op_produces = _strings(op.get("produces")) or produces
            params = [deref_param(p, f"/paths/{path}/{method}") for p in op.get("parameters") or []]
            own_names = {(p.get("name"), p.get("in")) for p in params if isinstance(p, dict)}
            inherited = [p for p in shared if isinstance(p, dict) and (p.get("name"), p.get("in")) not in own_names]
            all_params = [p for p in params if isinstance(p, dict)] + inherited
            new_op: dict[str, Any] = {
                k: v for k, v in op.items()
                if k not in ("parameters", "responses", "consumes", "produces", "schemes")
            }
            nonbody = [_param(p) for p in params if isinstance(p, dict) and p.get("in") not in ("body", "formData")]
            if nonbody:
                new_op["parameters"] = nonbody
            body = _request_body(all_params, op_consumes)
            if body is not None:
                new_op["requestBody"] = body
            if _strings(op.get("produces")) or _strings(doc.get("produces")):
                # What the operation answers even where no response has a schema (its error bodies).
                new_op["x-toolcheck-produces"] = op_produces
            new_op["responses"] = {
                str(status): _response(deref_param(resp, f"/paths/{path}/{method}/responses"), op_produces)
                for status, resp in (op.get("responses") or {}).items()
            }
            new_item[method] = new_op
        paths_out[path] = new_item
    out["paths"] = paths_out

    components: dict[str, Any] = {}
    if isinstance(doc.get("definitions"), dict):
        components["schemas"] = doc["definitions"]
    if global_params:
        components["parameters"] = {
            name: _param(p) for name, p in global_params.items() if isinstance(p, dict) and p.get("in") not in ("body", "formData")
        }
    if isinstance(doc.get("responses"), dict):
        components["responses"] = {name: _response(r, produces) for name, r in doc["responses"].items()}
    if isinstance(doc.get("securityDefinitions"), dict):
        components["securitySchemes"] = {
            name: _security(s) for name, s in doc["securityDefinitions"].items() if isinstance(s, dict)
        }
    from toolcheck.spec._refs import EXTERNAL

    if isinstance(doc.get("components"), dict) and EXTERNAL in doc["components"]:
        components[EXTERNAL] = doc["components"][EXTERNAL]
    out["components"] = components
    _rewrite_refs(out)
    return out, problems


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _servers(doc: dict[str, Any]) -> list[dict[str, str]]:
    host = doc.get("host")
    base = doc.get("basePath") or ""
    if not isinstance(base, str):
        base = ""
    if not host:
        return [{"url": base or "/"}]
    schemes = _strings(doc.get("schemes")) or ["https"]
    return [{"url": f"{scheme}://{host}{base}"} for scheme in schemes]


def _schema_of(param: dict[str, Any]) -> dict[str, Any]:
    schema = {k: copy.copy(param[k]) for k in _SCHEMA_KEYS if k in param}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _items_schema(schema["items"])
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    return schema


def _items_schema(items: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in items:
        return items
    return _schema_of(items)


def _param(param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in param:
        return param
    new: dict[str, Any] = {
        k: v for k, v in param.items()
        if k in ("name", "in", "description", "required", "allowEmptyValue", "deprecated") or k.startswith("x-")
    }
    if param.get("in") == "path":
        new["required"] = True
    new["schema"] = _schema_of(param)
    fmt = param.get("collectionFormat")
    if param.get("type") == "array":
        style, explode = _COLLECTION.get(fmt or "csv", ("form", False))
        if param.get("in") in ("path", "header"):
            style = "simple"
        new["style"] = style
        new["explode"] = explode
    if "x-example" in param:
        new["example"] = param["x-example"]
    return new


def _request_body(params: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any] | None:
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        schema = body.get("schema") if isinstance(body.get("schema"), dict) else {}
        result: dict[str, Any] = {
            "content": {mt: {"schema": schema} for mt in consumes},
            "required": bool(body.get("required", False)),
        }
        if body.get("description"):
            result["description"] = body["description"]
        if "x-examples" in body and isinstance(body["x-examples"], dict):
            for mt, example in body["x-examples"].items():
                if mt in result["content"]:
                    result["content"][mt]["example"] = example
        return result
    form = [p for p in params if p.get("in") == "formData"]
    if not form:
        return None
    properties: dict[str, Any] = {}
    required: list[str] = []
    has_file = False
    for p in form:
        name = p.get("name")
        if not isinstance(name, str):
            continue
        schema = _schema_of(p)
        has_file = has_file or p.get("type") == "file"
        if p.get("description"):
            schema["description"] = p["description"]
        if p.get("allowEmptyValue") is True:  # Swagger 2.0 formData: kept for the mock's request check
            schema["x-allowEmptyValue"] = True
        properties[name] = schema
        if p.get("required"):
            required.append(name)
    # `x-formData`: these properties were Swagger 2.0 formData parameters, whose `allowEmptyValue`
    # (default false) refuses `name=` (Swagger 2.0 §Parameter Object); OpenAPI 3 forms have no such rule.
    object_schema: dict[str, Any] = {"type": "object", "properties": properties, "x-formData": True}
    if required:
        object_schema["required"] = required
    form_types = [mt for mt in consumes if mt in ("multipart/form-data", "application/x-www-form-urlencoded")]
    if not form_types:
        form_types = ["multipart/form-data" if has_file else "application/x-www-form-urlencoded"]
    return {"content": {mt: {"schema": object_schema} for mt in form_types}, "required": bool(required)}


def _response(resp: Any, produces: list[str]) -> Any:
    if not isinstance(resp, dict) or "$ref" in resp:
        return resp
    new: dict[str, Any] = {"description": resp.get("description", "")}
    new.update({k: v for k, v in resp.items() if k.startswith("x-")})
    schema = resp.get("schema")
    raw_examples = resp.get("examples")
    examples: dict[str, Any] = raw_examples if isinstance(raw_examples, dict) else {}
    if isinstance(schema, dict):
        if schema.get("type") == "file":
            schema = {"type": "string", "format": "binary"}
        content: dict[str, Any] = {}
        for mt in produces:
            media: dict[str, Any] = {"schema": schema}
            if mt in examples:
                media["example"] = examples[mt]
            content[mt] = media
        new["content"] = content
    headers = resp.get("headers")
    if isinstance(headers, dict):
        new["headers"] = {
            name: {"schema": _schema_of(h), **({"description": h["description"]} if "description" in h else {})}
            for name, h in headers.items() if isinstance(h, dict)
        }
    return new


def _security(scheme: dict[str, Any]) -> dict[str, Any]:
    kind = scheme.get("type")
    extras = {k: v for k, v in scheme.items() if k == "description" or k.startswith("x-")}
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **extras}
    if kind == "apiKey":
        return {"type": "apiKey", "name": scheme.get("name", ""), "in": scheme.get("in", "header"), **extras}
    if kind == "oauth2":
        flow = scheme.get("flow", "implicit")
        name = {"accessCode": "authorizationCode", "application": "clientCredentials"}.get(flow, flow)
        flow_obj: dict[str, Any] = {"scopes": scheme.get("scopes") or {}}
        if "authorizationUrl" in scheme:
            flow_obj["authorizationUrl"] = scheme["authorizationUrl"]
        if "tokenUrl" in scheme:
            flow_obj["tokenUrl"] = scheme["tokenUrl"]
        return {"type": "oauth2", "flows": {name: flow_obj}, **extras}
    return dict(scheme)


def _rewrite_refs(doc: dict[str, Any]) -> None:
    from toolcheck.spec._refs import iter_refs

    for node, _path in iter_refs(doc):
        ref = node["$ref"]
        for old, new in _REF_PREFIXES:
            if ref.startswith(old):
                node["$ref"] = new + ref[len(old):]
                break
        # discriminator in 2.0 is a property name; 3.0 expects an object
    for schema in (doc.get("components", {}).get("schemas") or {}).values():
        if isinstance(schema, dict) and isinstance(schema.get("discriminator"), str):
            schema["discriminator"] = {"propertyName": schema["discriminator"]}
