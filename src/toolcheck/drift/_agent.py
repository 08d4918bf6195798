"""Agent-aware comparisons: what changes for an LLM that calls an operation as a tool.

Hand-written, deterministic heuristics (no model calls):

* :func:`semantic_delta` reads two descriptions and reports what an LLM would act on
  differently: numbers and units ("cents" → "dollars"), ranges and inclusivity, negations
  ("do not"), obligation words (must/should/may), side effects ("sends an email", "charges",
  "permanently deletes") and idempotency/safety claims. Wording changes that touch none of
  these are plain ``description-changed`` infos.
* :class:`ToolSizer` estimates the tokens of the tool definition an LLM receives (operation
  description plus the JSON Schema of its inputs, ``$ref``s inlined to a bounded depth) as
  ``len(json) / 4``, memoising component sizes so it stays linear on big specs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolcheck.spec.model import Operation, Spec

_UNITS = {
    "cent", "cents", "dollar", "dollars", "euro", "euros", "usd", "eur", "percent", "percentage", "%",
    "ms", "millisecond", "milliseconds", "second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins",
    "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
    "byte", "bytes", "kb", "mb", "gb", "kib", "mib", "gib", "character", "characters", "chars",
    "utc", "unix", "epoch", "iso", "meter", "meters", "km", "mile", "miles", "kg", "gram", "grams",
    "inclusive", "exclusive", "minimum", "maximum", "at", "least", "most",
}
_NEGATIONS = {"not", "never", "no", "cannot", "can't", "don't", "doesn't", "won't", "without", "none", "nor", "neither"}
_MODALS = {"must", "should", "may", "required", "optional", "shall", "mandatory"}
_EFFECTS = (
    "email", "e-mail", "sms", "notify", "notifies", "notification", "charge", "charges", "bill", "bills",
    "refund", "delete", "deletes", "permanently", "irreversible", "irreversibly", "cancel", "cancels",
    "idempotent", "idempotency", "side effect", "side-effect", "webhook", "publish", "publishes", "send", "sends",
    "overwrite", "overwrites", "destroy", "destroys", "purge", "revoke", "revokes", "retry", "retries",
    "asynchronous", "async", "synchronous", "rate limit", "rate-limit", "quota", "safe", "read-only",
)
_WORD = re.compile(r"[A-Za-z%][A-Za-z'\-]*|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _features(text: str) -> dict[str, set[str]]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    wordset = set(words)
    return {
        "numbers": set(_NUMBER.findall(lowered)),
        "units": wordset & _UNITS - {"at", "least", "most"} | ({"at least"} if "at least" in lowered else set())
        | ({"at most"} if "at most" in lowered else set()),
        "negations": {w for w in words if w in _NEGATIONS} | ({"n't"} if "n't" in lowered else set()),
        "obligations": wordset & _MODALS,
        "side effects": {e for e in _EFFECTS if e in lowered},
    }


def semantic_delta(before: str, after: str) -> list[str]:
    """What changed in meaning between two descriptions, as short phrases ([] = wording only)."""
    if not before or not after or before.strip() == after.strip():
        return []
    a, b = _features(before), _features(after)
    out = []
    for name in ("numbers", "units", "negations", "obligations", "side effects"):
        gone, came = a[name] - b[name], b[name] - a[name]
        if gone or came:
            parts = []
            if gone:
                parts.append("removed " + ", ".join(sorted(gone)))
            if came:
                parts.append("added " + ", ".join(sorted(came)))
            out.append(f"{name}: {'; '.join(parts)}")
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}|<p>|</p>")


def changed_sentences(before: str, after: str) -> tuple[str, str]:
    """Only the sentences that differ between two descriptions (what a reviewer needs to see)."""
    a = [x.strip() for x in _SENTENCE.split(before) if x and x.strip()]
    b = [x.strip() for x in _SENTENCE.split(after) if x and x.strip()]
    sa, sb = set(a), set(b)
    old = " ".join(x for x in a if x not in sb)
    new = " ".join(x for x in b if x not in sa)
    return (old or before, new or after)


def tool_text(op: Operation) -> str:
    return "\n".join(t for t in (op.summary, op.description) if t)


class ToolSizer:
    """Estimates the tokens of an operation's tool definition, memoising component sizes."""

    MAX_DEPTH = 4

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._memo: dict[tuple[str, int], int] = {}

    def tokens(self, op: Operation) -> int:
        chars = len(op.operation_id) + len(op.summary) + len(op.description)
        for p in op.parameters:
            chars += len(p.name) + len(p.description) + 20 + self._size(p.schema, 0)
        if op.request_body is not None:
            for media in op.request_body.content.values():
                chars += self._size(media.schema, 0)
                break  # a tool has one input schema: the first media type
        return max(1, chars // 4)

    def _size(self, schema: Any, depth: int) -> int:
        if isinstance(schema, dict):
            ref = schema.get("$ref")
            if isinstance(ref, str):
                if depth >= self.MAX_DEPTH:
                    return len(ref)
                key = (ref, depth)
                if key not in self._memo:
                    self._memo[key] = len(ref)  # cycle guard
                    try:
                        target = self.spec.resolve(ref)
                    except KeyError:
                        target = {}
                    self._memo[key] = self._size(target, depth + 1)
                return self._memo[key] + sum(self._size(v, depth) + len(k) + 4 for k, v in schema.items() if k != "$ref")
            return 2 + sum(len(k) + 4 + self._size(v, depth) for k, v in schema.items()
                           if k not in ("example", "examples", "xml", "externalDocs"))
        if isinstance(schema, list):
            return 2 + sum(self._size(v, depth) + 1 for v in schema)
        if isinstance(schema, str):
            return len(schema) + 2
        return len(json.dumps(schema, default=str))


def example_values(examples: Any) -> list[tuple[str, Any]]:
    """(name, value) pairs from a resolved ``examples`` map (the loader already took ``value``)."""
    return [(str(k), v) for k, v in examples.items()] if isinstance(examples, dict) else []
