"""One generated request for one operation: the unit `fuzz` sends and `payloads` writes.

Hand-written (no library models this): a :class:`Case` is plain data (JSON-serialisable with
:meth:`Case.to_dict`), so a finding can store it and ``toolcheck replay`` can send it again.
Credentials are never part of a case: the runner adds them when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from toolcheck._absent import ABSENT

POSITIVE = "positive"
NEGATIVE = "negative"


@dataclass(frozen=True)
class Case:
    """A request to send, with what it is meant to prove.

    Attributes:
        operation_id: the operation (tool) it calls.
        method: lower-case HTTP method.
        path: the path template (``/invoices/{invoice_id}``).
        path_params / query / headers / cookies: parameter values (already JSON values; the
            sender serialises them).
        body: the JSON body, or :data:`ABSENT`.
        media_type: the request content type (``None`` without a body).
        raw_body: bytes sent instead of ``body`` (malformed JSON).
        kind: ``positive`` (valid against the spec) or ``negative`` (proven invalid).
        phase: ``examples``, ``boundary``, ``fuzz``, ``stateful`` or ``auth``.
        label: what the case is, in words (``quantity as a string``).
        keyword: for negatives, the JSON Schema keyword the payload violates.
        pointer: for negatives, where: ``body/line_items/0/quantity``, ``query/limit``.
        llm: the mutation imitates a mistake LLMs make when calling tools.
        lenient: the server may legitimately accept this negative (an ignored header, a
            content type it sniffs): acceptance is not a finding.
    """

    operation_id: str
    method: str
    path: str
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    cookies: dict[str, Any] = field(default_factory=dict)
    body: Any = ABSENT
    media_type: str | None = None
    raw_body: bytes | None = None
    kind: str = POSITIVE
    phase: str = "fuzz"
    label: str = ""
    keyword: str = ""
    pointer: str = ""
    llm: bool = False
    lenient: bool = False

    @property
    def negative(self) -> bool:
        return self.kind == NEGATIVE

    @property
    def has_body(self) -> bool:
        return self.raw_body is not None or self.body is not ABSENT

    def with_(self, **changes: Any) -> Case:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "operation_id": self.operation_id,
            "method": self.method,
            "path": self.path,
            "kind": self.kind,
            "phase": self.phase,
            "label": self.label,
        }
        for key in ("path_params", "query", "headers", "cookies"):
            value = getattr(self, key)
            if value:
                data[key] = dict(value)
        if self.body is not ABSENT:
            data["body"] = self.body
        if self.media_type:
            data["media_type"] = self.media_type
        if self.raw_body is not None:
            data["raw_body"] = self.raw_body.decode("utf-8", "replace")
        for key in ("keyword", "pointer"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.llm:
            data["llm"] = True
        if self.lenient:
            data["lenient"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        raw = data.get("raw_body")
        return cls(
            operation_id=str(data["operation_id"]),
            method=str(data["method"]),
            path=str(data["path"]),
            path_params=dict(data.get("path_params") or {}),
            query=dict(data.get("query") or {}),
            headers=dict(data.get("headers") or {}),
            cookies=dict(data.get("cookies") or {}),
            body=data["body"] if "body" in data else ABSENT,
            media_type=data.get("media_type"),
            raw_body=raw.encode("utf-8") if isinstance(raw, str) else None,
            kind=str(data.get("kind", POSITIVE)),
            phase=str(data.get("phase", "fuzz")),
            label=str(data.get("label", "")),
            keyword=str(data.get("keyword", "")),
            pointer=str(data.get("pointer", "")),
            llm=bool(data.get("llm", False)),
            lenient=bool(data.get("lenient", False)),
        )
