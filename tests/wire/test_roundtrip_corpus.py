"""Round trip over the real specs: what the wire writes, the mock reads back equal, and every
request stays under the target's base URL (issue 11).

For sampled operations of every corpus spec, parameter values and a body are generated from the
spec, written by :func:`toolcheck.wire.build_request` with the placeholder credentials the mock
accepts, and read by the mock's parsing half. The mock must accept the request, and every
parameter must read back as :func:`toolcheck.wire.read.wire_value` says a server reads it (the
model the negative generator relies on). Bounded per spec by operation count and time.
"""

from __future__ import annotations

import random
import time
from typing import Any

import httpx
import pytest

from tests.conftest import SPECS, shared_specs_available
from toolcheck._absent import ABSENT
from toolcheck.errors import SpecLoadError
from toolcheck.mock import Mock, MockRequest
from toolcheck.mock._params import validate_params
from toolcheck.mock._routing import Match, Router
from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import Operation, Spec, load_spec
from toolcheck.wire import Request, apply_credentials, build_request
from toolcheck.wire.bodies import base_type, is_json, unexpressible
from toolcheck.wire.params import path_key
from toolcheck.wire.read import parse_query, wire_value

BASE = "http://127.0.0.1:9/base"
MAX_OPS = 25
BUDGET_S = 3.0
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


# Specs whose round trip is known to break (strict: the mark must go when it is fixed).
KNOWN: dict[str, str] = {}


def _corpus() -> list[Any]:
    if not shared_specs_available():
        return []
    lines = (SPECS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    names = [line.split("\t", 1)[0] for line in lines if line.strip()]
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n for n in names]


def _empty(value: Any) -> bool:
    """Values no parameter style can carry: empty containers (sent as nothing), or holding one."""
    if isinstance(value, (list, dict)):
        return not value or any(_empty(v) for v in (value.values() if isinstance(value, dict) else value))
    return value == "" or value is None


_SEPARATORS = {"label": ".,=", "matrix": ";,=", "simple": ",=", "form": ",", "spaceDelimited": " ",
               "pipeDelimited": "|", "deepObject": "[]"}


def _ambiguous(style: str, value: Any) -> bool:
    """A container whose member text holds its style's own separator: RFC 6570 leaves unreserved
    characters (``.`` in ``label``) unencoded, so no reader can split it back (a wire limit)."""
    if not isinstance(value, (list, dict)):
        return False
    texts = [str(v) for v in (value.values() if isinstance(value, dict) else value)]
    texts += [str(k) for k in value] if isinstance(value, dict) else []
    return any(ch in text for text in texts for ch in _SEPARATORS.get(style, ","))


def _same_on_the_wire(a: Operation, b: Operation) -> bool:
    """Two operations no request can tell apart (S3 keeps a deprecated twin of an operation under
    the same method, path and query selectors: ``/{Bucket}#notification&deprecated!``)."""
    ka, kb = path_key(a.path), path_key(b.path)
    return a.method == b.method and ka[0] == kb[0] and {n for n, _ in ka[1] + ka[2]} == {n for n, _ in kb[1] + kb[2]}


def _request(spec: Spec, op: Operation, rng: random.Random) -> tuple[Request, dict[tuple[str, str], Any]] | None:
    sent: dict[tuple[str, str], Any] = {}
    where: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
    for p in op.parameters:
        if p.schema is None or p.location not in where or not (p.required or p.location == "path" or rng.random() < 0.5):
            continue
        if p.location == "header" and p.name.lower() in ("accept", "content-type", "authorization"):
            continue
        value = generate_value(spec, p.schema, rng=rng, name=p.name, direction="request")
        if _empty(value) or (p.location in ("header", "cookie") and not isinstance(value, (str, int, float, bool))):
            if p.required or p.location == "path":
                return None
            continue
        where[p.location][p.name] = value
        sent[(p.location, p.name)] = value
    body: Any = ABSENT
    media: str | None = None
    if op.request_body is not None and op.request_body.content:
        media = next((m for m in op.request_body.content if is_json(base_type(m)) or base_type(m) in FORMS), None)
        entry = op.request_body.content.get(media) if media else None
        if entry is None or entry.schema is None:
            if op.request_body.required:
                return None
        else:
            body = generate_value(spec, entry.schema, rng=rng, direction="request")
            if base_type(media) in FORMS and (not isinstance(body, dict) or unexpressible(body, media, entry.encoding)
                                              or any(_empty(v) for v in body.values())):
                return None
    request = build_request(spec, op, path=where["path"], query=where["query"], headers=where["header"],
                            cookies=where["cookie"], body=body, media_type=media)
    apply_credentials(spec, op, request, {}, placeholder=True)
    return request, sent


@pytest.mark.corpus
@pytest.mark.parametrize("name", _corpus())
def test_what_the_wire_writes_the_mock_reads_back(name: str) -> None:
    try:
        spec = load_spec(str(SPECS / name))
    except SpecLoadError as exc:
        pytest.skip(f"{name} does not load: {exc}")
    mock, router = Mock(spec, seed=1, stateful=False), Router(spec)
    rng = random.Random(name)
    ops = [op for op in spec.operations if not op.webhook]
    rng.shuffle(ops)
    started, checked, problems = time.monotonic(), 0, []
    for op in ops[:MAX_OPS]:
        if time.monotonic() - started > BUDGET_S:
            break
        try:
            built = _request(spec, op, rng)
        except (GenerationError, RecursionError):
            continue
        if built is None:
            continue
        request, sent = built
        target = request.target()
        url = httpx.URL(request.url(BASE))  # never off the target, whatever the spec's paths say
        if (url.scheme, url.host, url.port) != ("http", "127.0.0.1", 9) or not url.raw_path.startswith(b"/base/"):
            problems.append(f"{op.key}: {url} leaves {BASE}")
        path, _, query = target.partition("?")
        headers = {k.lower(): v for k, v in request.all_headers().items()}
        answer = mock.handle(MockRequest(request.method, path, query, headers, request.content or b""))
        if answer.status == 401 or any(i.kind in ("parameter", "security") for i in answer.issues):
            problems.append(f"{op.key}: the mock refused {target[:150]} ({answer.status}): {answer.issues[:2]}")
            continue
        matched = router.match(request.method, path, query)
        if isinstance(matched, Match) and matched.operation.key != op.key and _same_on_the_wire(op, matched.operation):
            continue
        if not isinstance(matched, Match) or matched.operation.key != op.key:
            problems.append(f"{op.key}: {target[:150]} routes elsewhere")
            continue
        values, _issues = validate_params(spec, op, matched.params, parse_query(query), headers)
        for (location, pname), value in sent.items():
            param = op.parameter(pname, location)
            assert param is not None
            if _ambiguous(param.style or "", value):
                continue
            expected = wire_value(spec, param, value)
            got = values.get(f"{location}:{pname}")
            if got != expected:
                problems.append(f"{op.key}: {location} {pname!r} sent {value!r}, read back {got!r} (expected {expected!r})")
        checked += 1
    assert not problems, f"{name}: {len(problems)} request(s) did not round-trip:\n" + "\n".join(problems[:8])
