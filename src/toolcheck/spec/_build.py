"""Build :class:`Operation` objects from a normalised document.

Non-schema references (path items, operations, parameters, request bodies, responses,
headers, examples) are followed here, with a hop limit, so every consumer sees plain objects.
Schemas are left as they are (possibly ``$ref``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from toolcheck.spec._pointer import RefResolver, escape, pointer_of
from toolcheck.spec.model import (
    HTTP_METHODS,
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
)


class OpStub(NamedTuple):
    """Where one operation is and what it is called, before it is built."""

    section: str  # "paths" or "webhooks"
    path: str
    method: str
    pointer: str
    operation_id: str
    explicit_id: bool

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


# A JSON pointer, or (key, parent) pairs formatted only when a problem is reported: building
# pointer strings for every parameter and response cost a tenth of building GitHub's spec.
Where = Any
_NO_VALUE = object()
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_STATUS = re.compile(r"[1-5](\d\d|XX|xx)")


_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
_PARAM_LOCATIONS = frozenset({"path", "query", "header", "cookie", "querystring"})


class Builder:
    def __init__(self, document: dict[str, Any], dialect: str = "3.1", refs: RefResolver | None = None) -> None:
        self.document = document
        self.dialect = dialect
        self.problems: list[tuple[str, str, str, str]] = []
        # Memoised by reference: big specs share parameters and responses across operations.
        self._refs = refs if refs is not None else RefResolver(document)
        self._params_by_ref: dict[str, Parameter | None] = {}
        self._responses_by_ref: dict[tuple[str, str], Response | None] = {}
        self._example_values: dict[str, Any] = {}

    def problem(self, severity: str, where: Where, message: str, code: str) -> None:
        self.problems.append((severity, pointer_of(where), message, code))

    # --- references ----------------------------------------------------------------------
    def deref(self, node: Any, pointer: Where) -> Any:
        """Follow ``$ref`` chains of a non-schema object; None when it dangles or loops."""
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node  # most objects are written out in place
        hops = 0
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or hops > 32:
                self.problem("error", pointer, f"$ref {ref!r} is circular", "circular-ref")
                return None
            seen.add(ref)
            hops += 1
            if not ref.startswith("#"):
                return None  # reported by the normaliser
            try:
                target = self._refs.resolve(ref)
            except KeyError:
                return None  # reported by the normaliser
            if isinstance(target, dict) and "x-toolcheck-dangling-ref" in target:
                return None
            if isinstance(target, dict) and len(node) > 1:
                # 3.1 allows summary/description next to a $ref: they override the target's.
                extra = {k: v for k, v in node.items() if k in ("summary", "description")}
                target = {**target, **extra} if extra else target
            node = target
        return node

    # --- operations -----------------------------------------------------------------------
    def operations(self, section: str = "paths") -> list[Operation]:
        """Every operation of ``paths`` (or ``webhooks``) in document order, problems recorded."""
        global_security, global_servers = self._globals()
        result: list[Operation] = []
        for path, item_ptr, item in self._items(section):
            shared = self._parameters(item.get("parameters"), ("parameters", item_ptr))
            servers = _server_urls(item.get("servers")) or global_servers
            for method, raw_op, op_ptr in self._candidates(item, item_ptr):
                result.append(
                    self._operation(raw_op, method, path, op_ptr, shared, global_security, servers,
                                    webhook=section == "webhooks")
                )
        return result

    def index(self, section: str = "paths") -> list[OpStub]:
        """What :meth:`operations` would build, without building it: one stub per operation.

        Reads only ``operationId`` and the method/path of each operation, so a Spec can answer
        lookups at once and build an :class:`Operation` on first use (:meth:`build`).
        """
        quiet = Builder(self.document, self.dialect, self._refs)
        stubs: list[OpStub] = []
        for path, item_ptr, item in quiet._items(section):
            for method, raw_op, op_ptr in quiet._candidates(item, item_ptr):
                op_id = raw_op.get("operationId")
                explicit = isinstance(op_id, str) and bool(op_id.strip())
                stubs.append(OpStub(
                    section, path, method, op_ptr,
                    str(op_id) if explicit else derive_operation_id(method, path), explicit,
                ))
        return stubs

    def build(self, stub: OpStub, operation_id: str | None = None) -> Operation | None:
        """Build the one operation a stub from :meth:`index` stands for."""
        paths = self.document.get(stub.section)
        if not isinstance(paths, dict) or stub.path not in paths:
            return None
        item_ptr = f"/{stub.section}/{escape(stub.path)}"
        item = self.deref(paths[stub.path], item_ptr)
        if not isinstance(item, dict):
            return None
        global_security, global_servers = self._globals()
        for method, raw_op, op_ptr in self._candidates(item, item_ptr):
            if op_ptr == stub.pointer:
                shared = self._parameters(item.get("parameters"), ("parameters", item_ptr))
                op = self._operation(raw_op, method, stub.path, op_ptr, shared, global_security,
                                     _server_urls(item.get("servers")) or global_servers,
                                     webhook=stub.section == "webhooks")
                if operation_id is not None and operation_id != op.operation_id:
                    op = dataclasses.replace(op, operation_id=operation_id)
                return op
        return None

    def _globals(self) -> tuple[Any, tuple[str, ...]]:
        return self.document.get("security"), _server_urls(self.document.get("servers"))

    def _items(self, section: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(path, pointer, resolved path item) for every usable path item of a section."""
        paths = self.document.get(section)
        if paths is None:
            return
        if not isinstance(paths, dict):
            self.problem("error", f"/{section}", f"`{section}` must be an object", "invalid-structure")
            return
        for path, raw_item in paths.items():
            item_ptr = f"/{section}/{escape(str(path))}"
            if section == "paths" and not str(path).startswith("/"):
                # OAS 3.1 §4.8.8.1: a path "MUST begin with a forward slash". Glued to a base URL,
                # "http://other/x" or "2/x" (after "http://h:1808") leaves the target with the
                # credentials (issue 11 item 2, issue 12 High 1): no operation is built from it.
                self.problem("error", item_ptr, f"path {path!r} does not start with '/'; no operation is built "
                             "from it (a request could leave the target)", "path-format")
                continue
            item = self.deref(raw_item, item_ptr)
            if item is None:
                continue
            if not isinstance(item, dict):
                self.problem("error", item_ptr, "a path item must be an object", "invalid-structure")
                continue
            yield str(path), item_ptr, item

    def _candidates(self, item: dict[str, Any], item_ptr: str) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(method, resolved operation object, pointer) for each operation of a path item."""
        candidates: list[tuple[str, Any, str]] = [
            (m, item[m], f"{item_ptr}/{m}") for m in HTTP_METHODS if m in item
        ]
        if self.dialect == "3.2":
            # 3.2 adds the QUERY method and `additionalOperations` for any other method.
            if "query" in item:
                candidates.append(("query", item["query"], f"{item_ptr}/query"))
            extra = item.get("additionalOperations")
            if isinstance(extra, dict):
                candidates.extend(
                    (str(m).lower(), op, f"{item_ptr}/additionalOperations/{escape(str(m))}") for m, op in extra.items()
                )
        for method, raw_item_op, op_ptr in candidates:
            raw_op = self.deref(raw_item_op, op_ptr)
            if not isinstance(raw_op, dict):
                if raw_op is not None:
                    self.problem("error", op_ptr, "an operation must be an object", "invalid-structure")
                continue
            yield method, raw_op, op_ptr

    def _operation(
        self,
        raw: dict[str, Any],
        method: str,
        path: str,
        pointer: str,
        shared: list[Parameter],
        global_security: Any,
        servers: tuple[str, ...],
        *,
        webhook: bool,
    ) -> Operation:
        own = self._parameters(raw.get("parameters"), ("parameters", pointer))
        if not shared:
            params = own
        elif not own:
            params = shared
        else:
            own_keys = {(p.name, p.location) for p in own}
            params = [*own, *(p for p in shared if (p.name, p.location) not in own_keys)]
        if not webhook and "{" in path:
            self._check_path_params(path, params, pointer)
        op_id = raw.get("operationId")
        explicit = isinstance(op_id, str) and bool(op_id.strip())
        if not explicit:
            op_id = derive_operation_id(method, path)
        security_raw = raw.get("security", global_security)
        responses_raw = raw.get("responses")
        if not isinstance(responses_raw, dict) or not responses_raw:
            if not webhook:
                # Required up to 3.0; optional from 3.1 on, but an agent still learns nothing.
                severity = "warning" if self.dialect in ("2.0", "3.0") else "info"
                self.problem(severity, pointer, "the operation documents no responses", "no-responses")
            responses_raw = {}
        op_servers = _server_urls(raw.get("servers"))
        raw_tags = raw.get("tags")
        tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
        return Operation(
            operation_id=str(op_id),
            method=method,
            path=path,
            summary=_text(raw.get("summary")),
            description=_text(raw.get("description")),
            tags=tuple(str(t) for t in tags),
            parameters=tuple(params),
            request_body=self._request_body(raw.get("requestBody"), ("requestBody", pointer)),
            responses=self._responses(responses_raw, ("responses", pointer)),
            security=self._security(security_raw),
            deprecated=raw.get("deprecated") is True,
            servers=op_servers or servers,
            callbacks=_mapping(raw.get("callbacks")),
            extensions={k: v for k, v in raw.items() if isinstance(k, str) and k.startswith("x-")},
            pointer=pointer,
            explicit_id=explicit,
            webhook=webhook,
        )

    def _check_path_params(self, path: str, params: list[Parameter], pointer: str) -> None:
        declared = {p.name for p in params if p.location == "path"}
        templated = set(_TEMPLATE.findall(path))
        for name in sorted(templated - declared):
            self.problem("warning", pointer, f"path parameter {{{name}}} is not declared", "undeclared-path-param")

    def _parameters(self, raw: Any, pointer: Where) -> list[Parameter]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem("error", pointer, "`parameters` must be a list", "invalid-structure")
            return []
        result: list[Parameter] = []
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(raw):
            ptr = (i, pointer)
            ref = item.get("$ref") if isinstance(item, dict) and len(item) == 1 else None
            if isinstance(ref, str) and ref in self._params_by_ref:
                cached = self._params_by_ref[ref]
                if cached is not None and (cached.name, cached.location) not in seen:
                    seen.add((cached.name, cached.location))
                    result.append(cached)
                continue
            built = self._parameter(item, ptr, seen)
            if isinstance(ref, str):
                self._params_by_ref[ref] = built
            if built is not None:
                result.append(built)
        return result

    def _parameter(self, item: Any, ptr: Where, seen: set[tuple[str, str]]) -> Parameter | None:
        param = self.deref(item, ptr)
        if param is None:
            return None
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            self.problem("error", ptr, "a parameter needs a `name`", "invalid-parameter")
            return None
        location = param.get("in")
        if not isinstance(location, str) or location not in _PARAM_LOCATIONS:
            self.problem("error", ptr, f"parameter {param['name']!r} has an invalid `in`: {location!r}", "invalid-parameter")
            return None
        name = param["name"]
        if location == "header" and name.lower() in ("accept", "content-type", "authorization"):
            return None  # ignored by the OpenAPI specification (3.0.3 §4.7.12.1)
        if (name, location) in seen:
            self.problem("warning", ptr, f"parameter {name!r} in {location} is declared twice", "duplicate-parameter")
            return None
        seen.add((name, location))
        schema: Any = param.get("schema")
        media_type = None
        content = param.get("content")
        if schema is None and isinstance(content, dict) and content:
            media_type, media = next(iter(content.items()))
            schema = media.get("schema") if isinstance(media, dict) else None
        style = param.get("style") or _DEFAULT_STYLE.get(location, "form")
        explode = param.get("explode")
        return (
            Parameter(
                name=name,
                location=location,
                required=bool(param.get("required", False)) or location == "path",
                schema=schema if schema is not None else {},
                style=str(style),
                explode=bool(explode) if explode is not None else style == "form",
                description=_text(param.get("description")),
                deprecated=param.get("deprecated") is True,
                allow_empty_value=param.get("allowEmptyValue") is True,
                allow_reserved=param.get("allowReserved") is True,
                media_type=media_type,
                example=param.get("example"),
                examples=self._examples(param.get("examples")),
                extensions={k: v for k, v in param.items() if isinstance(k, str) and k.startswith("x-")},
            )
        )

    def _examples(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            return {}
        out: dict[str, Any] = {}
        memo = self._example_values
        for name, example in raw.items():
            ref = example.get("$ref") if isinstance(example, dict) and len(example) == 1 else None
            if isinstance(ref, str) and ref in memo:
                value = memo[ref]
            else:
                resolved = self.deref(example, "")
                value = resolved["value"] if isinstance(resolved, dict) and "value" in resolved else _NO_VALUE
                if isinstance(ref, str):
                    memo[ref] = value
            if value is not _NO_VALUE:
                out[str(name)] = value
        return out

    def _content(self, raw: Any, pointer: Where) -> dict[str, MediaType]:
        if not isinstance(raw, dict):
            return {}
        out: dict[str, MediaType] = {}
        for media_type, media in raw.items():
            media = self.deref(media, (media_type, pointer))
            if not isinstance(media, dict):
                media = {}
            examples = self._examples(media.get("examples"))
            if "example" in media:
                examples = {"example": media["example"], **examples}
            out[str(media_type)] = MediaType(
                media_type=str(media_type),
                schema=media.get("schema"),
                examples=examples,
                encoding=_mapping(media.get("encoding")),
            )
        return out

    def _request_body(self, raw: Any, pointer: Where) -> RequestBody | None:
        body = self.deref(raw, pointer)
        if not isinstance(body, dict):
            return None
        return RequestBody(
            required=body.get("required") is True,
            content=self._content(body.get("content"), ("content", pointer)),
            description=_text(body.get("description")),
        )

    def _responses(self, raw: dict[str, Any], pointer: Where) -> dict[str, Response]:
        out: dict[str, Response] = {}
        for status, resp in raw.items():
            status = str(status)
            ptr = (status, pointer)
            if status.startswith("x-"):
                continue
            ref = resp.get("$ref") if isinstance(resp, dict) and len(resp) == 1 else None
            memo_key = (ref, status) if isinstance(ref, str) else None
            if memo_key is not None and memo_key in self._responses_by_ref:
                cached = self._responses_by_ref[memo_key]
                if cached is not None:
                    out[status] = cached
                continue
            built = self._response(status, resp, ptr)
            if memo_key is not None:
                self._responses_by_ref[memo_key] = built
            if built is not None:
                out[status] = built
        return out

    def _response(self, status: str, resp: Any, ptr: Where) -> Response | None:
        resolved = self.deref(resp, ptr)
        if not isinstance(resolved, dict):
            return None
        if not (status == "default" or _STATUS.fullmatch(status)):
            self.problem("warning", ptr, f"{status!r} is not an HTTP status code", "invalid-status")
        headers: dict[str, Header] = {}
        for name, header in (resolved.get("headers") or {}).items():
            h = self.deref(header, (name, ("headers", ptr)))
            if not isinstance(h, dict):
                continue
            schema = h.get("schema")
            if schema is None and isinstance(h.get("content"), dict) and h["content"]:
                first = next(iter(h["content"].values()))
                schema = first.get("schema") if isinstance(first, dict) else None
            headers[str(name)] = Header(
                name=str(name),
                required=h.get("required") is True,
                schema=schema if schema is not None else {},
                description=_text(h.get("description")),
                deprecated=h.get("deprecated") is True,
            )
        return Response(
            status=status,
            description=_text(resolved.get("description")),
            content=self._content(resolved.get("content"), ("content", ptr)),
            headers=headers,
            links=_mapping(resolved.get("links")),
        )

    @staticmethod
    def _security(raw: Any) -> tuple[Mapping[str, tuple[str, ...]], ...]:
        if not isinstance(raw, list):
            return ()
        out: list[Mapping[str, tuple[str, ...]]] = []
        for requirement in raw:
            if isinstance(requirement, dict):
                out.append({str(k): tuple(v) if isinstance(v, list) else () for k, v in requirement.items()})
        return tuple(out)

    def security_schemes(self) -> dict[str, SecurityScheme]:
        comps = self.document.get("components") or {}
        raw = comps.get("securitySchemes") if isinstance(comps, dict) else None
        out: dict[str, SecurityScheme] = {}
        for name, scheme in (raw or {}).items():
            s = self.deref(scheme, f"/components/securitySchemes/{escape(str(name))}")
            if not isinstance(s, dict):
                continue
            out[str(name)] = SecurityScheme(
                name=str(name),
                type=str(s.get("type", "")),
                scheme=str(s.get("scheme", "")).lower(),
                location=str(s.get("in", "")),
                param_name=str(s.get("name", "")),
                bearer_format=str(s.get("bearerFormat", "")),
                description=_text(s.get("description")),
                flows=_mapping(s.get("flows")),
            )
        return out


def derive_operation_id(method: str, path: str) -> str:
    """A readable id for an operation without one: ``get_users_id`` for ``GET /users/{id}``."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words}" if words else method.lower()


def _server_urls(value: Any) -> tuple[str, ...]:
    return tuple(s.get("url", "") for s in value or [] if isinstance(s, dict)) if isinstance(value, list) else ()


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
