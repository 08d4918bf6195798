"""Answers that name what was asked for: path parameters copied into the generated body.

Used by the stateless responder and by the stateful half (:mod:`toolcheck.mock._stateful`)
alike, so it sits below both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolcheck.mock.generate import is_valid
from toolcheck.spec import Spec


def echo_ids(spec: Spec, schema: Any, value: Any, path_params: Mapping[str, str], path: str = "") -> Any:
    """Copy path parameters into same-named fields, if still valid.

    The last parameter also fills ``id`` when it names the resource: it ends the path
    (``/customers/{customer}``) or its name ends in ``id`` (``{customer_id}``).
    """
    if not path_params or not isinstance(value, dict):
        return value
    candidate = dict(value)
    names = list(path_params)
    changed = False
    for name in names:
        if name in candidate and candidate[name] != path_params[name]:
            candidate[name] = _like(candidate[name], path_params[name])
            changed = True
    last = names[-1]
    names_item = last.lower().endswith("id") or path.rstrip("/").endswith("{" + last + "}")
    if "id" in candidate and names_item and last not in candidate:
        candidate["id"] = _like(candidate["id"], path_params[last])
        changed = True
    if changed and is_valid(spec, schema, candidate):
        return candidate
    if changed:  # keep what fits, one field at a time
        out = dict(value)
        for key in candidate:
            if candidate[key] != value.get(key):
                trial = {**out, key: candidate[key]}
                if is_valid(spec, schema, trial):
                    out = trial
        return out
    return value


def _like(old: Any, text: str) -> Any:
    if isinstance(old, int) and not isinstance(old, bool):
        try:
            return int(text)
        except ValueError:
            return text
    return text
