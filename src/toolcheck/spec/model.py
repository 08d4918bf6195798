"""The one spec model every feature reads.

A :class:`Spec` is built once by :func:`toolcheck.spec.load_spec`. Swagger 2.0, OpenAPI 3.0,
3.1 and 3.2 documents are normalised into the same shape:

* ``Spec.document`` is an OpenAPI 3.1-shaped dict. Every schema in it is JSON Schema 2020-12
  (3.0's ``nullable``/boolean ``exclusiveMinimum``/``type: file`` rewritten). Schema ``$ref``s
  are *kept* as local references (``#/components/schemas/X``, or
  ``#/components/x-toolcheck-external/...`` for schemas that lived in other files), so cyclic
  specs (Stripe, Kubernetes) stay finite and each named component exists exactly once.
* Non-schema references (path items, parameters, request bodies, responses, headers, examples)
  are resolved while the :class:`Operation` objects are built: consumers never chase them.
* Schemas are validated with :meth:`Spec.validator`, which resolves ``$ref`` against
  ``Spec.document`` through a :mod:`referencing` registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from toolcheck.findings import Finding, Severity

JSON = Any
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


@dataclass(frozen=True)
class _SpecLocate:
    """``Problem.locate``: ``file:line`` of a pointer, or ``file#/json/pointer`` when no line is known."""

    locate: Callable[[str], str] | None
    source: str

    def __call__(self, pointer: str) -> str:
        if self.locate is not None:
            try:
                return self.locate(pointer)
            except Exception:  # best effort: a line number never fails a report
                pass
        return f"{self.source}#{pointer}"


@dataclass(frozen=True)
class Problem(Finding):
    """Something wrong with the spec itself (not with the API behind it): a shared
    :class:`toolcheck.findings.Finding` whose ``check`` is a short stable identifier
    (``dangling-ref``, ``duplicate-required`` ...), which ``toolcheck check`` reports as ``code``.

    Attributes:
        source: the spec file, for a ``location`` of ``file#/json/pointer`` where no line is known
            (``location`` is ``file:line`` otherwise, computed on first use: finding line numbers
            means re-reading the source).
    """

    source: str = ""

    def __post_init__(self) -> None:
        locate = self.locate
        if not (isinstance(locate, _SpecLocate) and locate.source == self.source):
            raw = locate.locate if isinstance(locate, _SpecLocate) else locate
            object.__setattr__(self, "locate", _SpecLocate(raw, self.source))

    @property
    def code(self) -> str:
        """``toolcheck check``'s name for ``check``."""
        return self.check

    @property
    def line_locator(self) -> Callable[[str], str] | None:
        """The spec's pointer → ``file:line`` function, for building more problems of the same spec."""
        locate = self.locate
        return locate.locate if isinstance(locate, _SpecLocate) else locate

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "pointer": self.pointer,
            "code": self.code,
        }


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter (OpenAPI 3 semantics, 2.0 converted)."""

    name: str
    location: str  # "path" | "query" | "header" | "cookie"
    required: bool
    schema: JSON
    style: str
    explode: bool
    description: str = ""
    deprecated: bool = False
    allow_empty_value: bool = False
    allow_reserved: bool = False
    media_type: str | None = None  # set when the parameter uses `content` instead of `schema`
    example: JSON = None
    examples: Mapping[str, JSON] = field(default_factory=dict)
    extensions: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaType:
    """One entry of a ``content`` map: a schema and its examples (values, already resolved)."""

    media_type: str
    schema: JSON
    examples: Mapping[str, JSON] = field(default_factory=dict)
    encoding: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: Mapping[str, MediaType]
    description: str = ""


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    schema: JSON
    description: str = ""
    deprecated: bool = False


@dataclass(frozen=True)
class Response:
    """A documented response: status is ``"200"``, ``"4XX"`` or ``"default"``."""

    status: str
    description: str
    content: Mapping[str, MediaType] = field(default_factory=dict)
    headers: Mapping[str, Header] = field(default_factory=dict)
    links: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme, flattened: ``type`` is http/apiKey/oauth2/openIdConnect/mutualTLS."""

    name: str
    type: str
    scheme: str = ""  # for http: bearer, basic, digest...
    location: str = ""  # for apiKey: header, query, cookie
    param_name: str = ""  # for apiKey: the header/query/cookie name
    bearer_format: str = ""
    description: str = ""
    flows: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One HTTP operation: what an agent sees as one tool.

    ``security`` is the effective requirement list (operation-level, else document-level):
    a tuple of alternatives, each a mapping of scheme name to scopes. An empty tuple means
    no authentication; a tuple containing an empty mapping means authentication is optional.
    """

    operation_id: str
    method: str
    path: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    responses: Mapping[str, Response] = field(default_factory=dict)
    security: tuple[Mapping[str, tuple[str, ...]], ...] = ()
    deprecated: bool = False
    servers: tuple[str, ...] = ()
    callbacks: Mapping[str, JSON] = field(default_factory=dict)
    extensions: Mapping[str, JSON] = field(default_factory=dict)
    pointer: str = ""
    explicit_id: bool = True
    webhook: bool = False

    @property
    def key(self) -> str:
        """``METHOD /path``: unique within a spec (operationIds may be missing)."""
        return f"{self.method.upper()} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def parameter(self, name: str, location: str | None = None) -> Parameter | None:
        for param in self.parameters:
            if param.name == name and (location is None or param.location == location):
                return param
        return None

    def response_for(self, status: int | str) -> Response | None:
        """The documented response that covers ``status``: exact, then ``4XX``, then ``default``."""
        code = str(status)
        if code in self.responses:
            return self.responses[code]
        ranged = f"{code[:1]}XX"
        for key in (ranged, ranged.lower()):
            if key in self.responses:
                return self.responses[key]
        return self.responses.get("default")

    @property
    def success_statuses(self) -> tuple[str, ...]:
        return tuple(sorted(s for s in self.responses if s.startswith("2")))


class Deferred(Protocol):
    """The parts of a Spec built on first use (see :func:`toolcheck.spec.load_spec`)."""

    def document(self) -> dict[str, JSON]: ...

    def ids(self) -> list[str]: ...

    def lookup(self, ref: str) -> Operation | None: ...

    def build_all(self) -> tuple[tuple[Operation, ...], tuple[Operation, ...], tuple[Problem, ...]]: ...

    def security_schemes(self) -> Mapping[str, SecurityScheme]: ...

    def resolver(self) -> Any: ...


class Spec:
    """A loaded, normalised API description.

    Attributes:
        source: where it was read from, as the user named it.
        version: the declared ``openapi``/``swagger`` version string.
        dialect: ``"2.0"``, ``"3.0"``, ``"3.1"`` or ``"3.2"``.
        document: the normalised OpenAPI 3.1-shaped document (schema ``$ref``s kept).
        operations: every operation under ``paths`` in document order.
        webhooks: operations under ``webhooks`` (3.1+), kept apart from ``operations``.
        problems: what is wrong with the spec (warnings and errors), in document order.
        sha256: content hash of the source text(s), used for caching.

    A loaded Spec is built in layers: the operation *index* (ids, methods, paths) exists at
    once; the document (when it comes from the cache), the :class:`Operation` objects and the
    problems found while building them are made on first use. :meth:`operation` builds only
    the operation asked for, so a run that touches three of GitHub's 771 operations never
    builds the rest. Treat a Spec as read-only.
    """

    def __init__(
        self,
        *,
        source: str,
        version: str,
        dialect: str,
        title: str,
        api_version: str,
        deferred: Deferred,
        servers: tuple[str, ...] = (),
        sha256: str = "",
        files: tuple[str, ...] = (),
        locator: Callable[[str], str] | None = None,
    ) -> None:
        self.source = source
        self.version = version
        self.dialect = dialect
        self.title = title
        self.api_version = api_version
        self.servers = servers
        self.sha256 = sha256
        self.files = files
        self._locator = locator
        self._deferred = deferred
        self._built: tuple[tuple[Operation, ...], tuple[Operation, ...], tuple[Problem, ...]] | None = None
        self._by_id: dict[str, Operation] = {}
        self._security_schemes: Mapping[str, SecurityScheme] | None = None
        self._refs: Any = None

    def __repr__(self) -> str:
        return f"<Spec {self.source!r} {self.version} {len(self._deferred.ids())} operations>"

    # --- parts made on first use ---------------------------------------------------------
    @property
    def document(self) -> dict[str, JSON]:
        return self._deferred.document()

    def _build(self) -> tuple[tuple[Operation, ...], tuple[Operation, ...], tuple[Problem, ...]]:
        if self._built is None:
            built = self._deferred.build_all()
            index: dict[str, Operation] = {}
            for op in built[0]:
                index.setdefault(op.operation_id, op)
                index.setdefault(op.key, op)
            self._by_id = index
            self._built = built
        return self._built

    @property
    def operations(self) -> tuple[Operation, ...]:
        return self._build()[0]

    @property
    def webhooks(self) -> tuple[Operation, ...]:
        return self._build()[1]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self._build()[2]

    @property
    def security_schemes(self) -> Mapping[str, SecurityScheme]:
        if self._security_schemes is None:
            self._security_schemes = self._deferred.security_schemes()
        return self._security_schemes

    # --- lookups -------------------------------------------------------------------------
    def operation(self, ref: str) -> Operation:
        """Find an operation by operationId or by ``"METHOD /path"``.

        Raises:
            KeyError: with the closest known names in the message.
        """
        method, _, path = ref.partition(" ")
        alt = f"{method.upper()} {path}"
        for key in (ref, alt):
            found = self._by_id.get(key) if self._built is not None else self._deferred.lookup(key)
            if found is not None:
                return found
        import difflib

        close = difflib.get_close_matches(ref, self._deferred.ids(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no operation {ref!r} in {self.source}.{hint}")

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    @property
    def schemas(self) -> Mapping[str, JSON]:
        """Named component schemas (``components.schemas``, 2.0 ``definitions``)."""
        comps = self.document.get("components") or {}
        schemas = comps.get("schemas") or {}
        return schemas if isinstance(schemas, dict) else {}

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    def resolve(self, ref: str) -> JSON:
        """Follow a local ``#/...`` reference in the normalised document.

        Raises:
            KeyError: the reference does not point at anything.
        """
        if not ref.startswith("#"):
            raise KeyError(f"not a local reference: {ref}")
        if self._refs is None:
            self._refs = self._deferred.resolver()
        return self._refs.resolve(ref)  # memoised: the mock and drift resolve the same refs often

    def deref(self, schema: JSON, *, max_hops: int = 64) -> JSON:
        """Follow a chain of ``$ref`` at the top of ``schema`` (cycle-bounded)."""
        hops = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and hops < max_hops:
            try:
                schema = self.resolve(schema["$ref"])
            except KeyError:
                return {}
            hops += 1
        return schema

    def validator(self, schema: JSON) -> Any:
        """A JSON Schema 2020-12 validator for ``schema`` whose ``$ref``s resolve in this spec."""
        from toolcheck.spec.jsonschema import validator_for

        return validator_for(self, schema)

    def locate(self, pointer: str) -> str:
        """``file:line`` for a JSON pointer into the source, where it can be found."""
        if self._locator is not None:
            try:
                return self._locator(pointer)
            except Exception:  # a locator is best effort: never fail a report for it
                pass
        return f"{self.source}#{pointer}"
