"""End to end over the corpus: valid requests are accepted and every answer conforms.

For sampled operations of every spec, a valid request is built from the spec (parameters,
security, a JSON or form body from the request schema), sent to the pure responder, and the
answer is checked with ``check_response``: a 4xx on an operation that documents a 2xx is a
false rejection, a violation is a lie. Bounded per spec by operation count and time.
"""

from __future__ import annotations

import base64
import random
import time
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck.checks.conformance import check_response
from toolcheck.errors import SpecLoadError
from toolcheck.mock import Mock, MockRequest
from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import load_spec

MAX_OPS = 30
BUDGET_S = 4.0


def _corpus() -> list[str]:
    if not shared_specs_available():
        return []
    lines = (SPECS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip()]


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_wire(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_wire(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _form_pairs(prefix: str, value: Any, out: list[tuple[str, str]]) -> bool:
    """Bracket-encode; False when the value holds an empty container (forms cannot say that)."""
    if isinstance(value, dict):
        if not value and prefix:
            return False
        return all(_form_pairs(f"{prefix}[{k}]" if prefix else str(k), v, out) for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return False
        return all(_form_pairs(f"{prefix}[{i}]", v, out) for i, v in enumerate(value))
    out.append((prefix, _wire(value)))
    return True


def _multipart(value: dict[str, Any]) -> bytes:
    out = b""
    for name, field in value.items():
        for item in field if isinstance(field, list) else [field]:
            if isinstance(item, (dict, list)):
                ctype, data = "application/json", orjson.dumps(item)
            else:
                ctype, data = "text/plain", _wire(item).encode()
            out += (f'--tc-boundary\r\nContent-Disposition: form-data; name="{name}"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    return out + b"--tc-boundary--\r\n"


def _request(spec: Any, op: Any, rng: random.Random) -> MockRequest | None:
    path = op.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for param in op.parameters:
        if param.location != "path" and not param.required:
            continue
        value = generate_value(spec, param.schema or {"type": "string"}, rng=rng, name=param.name, direction="request")
        if param.location == "path":
            path = path.replace("{" + param.name + "}", quote(_wire(value), safe=""))
        elif param.location == "query":
            if isinstance(value, list) and param.explode:
                query += [(param.name, _wire(v)) for v in value]
            elif isinstance(value, dict) and param.style == "deepObject":
                query += [(f"{param.name}[{k}]", _wire(v)) for k, v in value.items()]
            elif isinstance(value, dict) and param.explode:
                query += [(str(k), _wire(v)) for k, v in value.items()]
            else:
                query.append((param.name, _wire(value)))
        elif param.location == "header":
            headers[param.name.lower()] = _wire(value)
        else:
            cookies.append(f"{param.name}={_wire(value)}")
    body = b""
    if op.request_body is not None and op.request_body.content:
        media_type, media = next(iter(op.request_body.content.items()))
        if media.schema is None:
            return None
        value = generate_value(spec, media.schema, rng=rng, direction="request")
        if "json" in media_type:
            body = orjson.dumps(value)
        elif media_type == "multipart/form-data":
            if not isinstance(value, dict):
                return None
            body = _multipart(value)
            media_type = "multipart/form-data; boundary=tc-boundary"
        elif media_type == "application/x-www-form-urlencoded":
            pairs: list[tuple[str, str]] = []
            if not isinstance(value, dict) or not _form_pairs("", value, pairs):
                return None
            body = urlencode(pairs).encode()
        else:
            return None
        headers["content-type"] = media_type
    for name in (op.security[0] if op.security else {}):
        scheme = spec.security_schemes.get(name)
        if scheme is None:
            continue
        if scheme.type == "apiKey":
            if scheme.location == "header":
                headers[scheme.param_name.lower()] = "key_1"
            elif scheme.location == "query":
                query.append((scheme.param_name, "key_1"))
            else:
                cookies.append(f"{scheme.param_name}=key_1")
        elif scheme.type == "http" and scheme.scheme.lower() == "basic":
            headers["authorization"] = "Basic " + base64.b64encode(b"user:pass").decode()
        elif scheme.type in ("http", "oauth2", "openIdConnect"):
            headers["authorization"] = "Bearer aaa.bbb.ccc"
    if cookies:
        headers["cookie"] = "; ".join(cookies)
    return MockRequest(op.method.upper(), path, urlencode(query), headers, body)


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name", _corpus())
def test_valid_requests_are_accepted_and_answers_conform(name: str) -> None:
    try:
        spec = load_spec(str(SPECS / name))
    except SpecLoadError:
        pytest.skip("spec does not load")
    mock = Mock(spec, cache=False)
    stateful = Mock(spec, cache=False, stateful=True)
    started = time.monotonic()
    problems: list[str] = []
    step = max(1, len(spec.operations) // MAX_OPS)
    for op in spec.operations[::step]:
        if time.monotonic() - started > BUDGET_S:
            break
        rng = random.Random(op.key)
        try:
            request = _request(spec, op, rng)
        except GenerationError:
            continue
        if request is None or "{" in request.path:
            continue
        answer = mock.handle(request)
        assert answer.status != 500, (op.key, answer.body[:300])
        if op.success_statuses and answer.status >= 400:
            problems.append(f"{op.key}: valid request rejected with {answer.status}: {answer.body[:200]!r}")
            continue
        if op.responses:
            for violation in check_response(spec, op, answer.status, dict(answer.headers), raw=answer.body):
                problems.append(f"{op.key} {answer.status}: {violation.message[:200]}")
        # The stateful mock (creates, reads back, lists) must not lie either.
        kept = stateful.handle(request)
        assert kept.status != 500, (op.key, kept.body[:300])
        if kept.status < 400 and op.responses:
            for violation in check_response(spec, op, kept.status, dict(kept.headers), raw=kept.body):
                problems.append(f"{op.key} stateful {kept.status}: {violation.message[:200]}")
            location = dict(kept.headers).get("location", "")
            if op.method == "post" and location.startswith("/"):
                item_op = next((o for o in spec.operations if o.method == "get" and stateful.router.match("GET", location)
                                and getattr(stateful.router.match("GET", location), "operation", None) is o), None)
                if item_op is not None:
                    read = stateful.handle(MockRequest("GET", location, "", request.headers))
                    if read.status < 400:
                        for violation in check_response(spec, item_op, read.status, dict(read.headers), raw=read.body):
                            problems.append(f"{item_op.key} read back {read.status}: {violation.message[:200]}")
        # Every documented status on demand (Prefer: code=N): the answer must fit that response.
        for code in [c for c in op.responses if c.isdigit()][:6]:
            wanted = MockRequest(request.method, request.path, request.query,
                                 {**request.headers, "prefer": f"code={code}"}, request.body)
            forced = mock.handle(wanted)
            assert forced.status == int(code), (op.key, code, forced.status, forced.body[:200])
            for violation in check_response(spec, op, forced.status, dict(forced.headers), raw=forced.body):
                problems.append(f"{op.key} Prefer code={code}: {violation.message[:200]}")
        # A broken version of the same request: the error answer must fit the documented shape.
        if request.body and "json" in request.headers.get("content-type", ""):
            broken = MockRequest(request.method, request.path, request.query, request.headers, b'{"\xe2\x82\xac": [[]]}')
            refused = mock.handle(broken)
            assert refused.status != 500, (op.key, refused.body[:300])
            if op.response_for(refused.status) is not None and refused.status >= 400:
                for violation in check_response(spec, op, refused.status, dict(refused.headers), raw=refused.body):
                    problems.append(f"{op.key} error {refused.status}: {violation.message[:200]}")
        if "authorization" in request.headers:  # and without credentials: a documented 401, if any
            anonymous = {k: v for k, v in request.headers.items() if k != "authorization"}
            refused = mock.handle(MockRequest(request.method, request.path, request.query, anonymous, request.body))
            if refused.status == 401 and op.response_for(401) is not None:
                assert any(k == "www-authenticate" for k, _ in refused.headers)
                for violation in check_response(spec, op, 401, dict(refused.headers), raw=refused.body):
                    problems.append(f"{op.key} error 401: {violation.message[:200]}")
    assert not problems, "\n".join(problems[:10])
