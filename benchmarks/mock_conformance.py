"""Schemathesis against `toolcheck mock`: which failures are the mock's own, which the spec's.

    python benchmarks/mock_conformance.py [SPEC ...] [--max-examples 10] [--max-time 300]
    python benchmarks/mock_conformance.py --corpus --max-examples 3 --max-time 30   # every corpus spec

Installs Schemathesis into a venv outside the repo (``--peers``, default /work/peers/schemathesis,
or $TOOLCHECK_PEERS_SCHEMATHESIS), serves each spec with ``toolcheck mock --stateful`` on
127.0.0.1 with a known token, runs ``st run --checks all`` with that token (so ``ignored_auth``
has something to check), reads its NDJSON events and sorts every failing check into:

Each failing check is replayed on an in-process mock of the same spec (same options) to read
the mock's own reasons for a refusal (``MockResponse.issues``: a spec's error shape may not
carry them on the wire). The classification rules, each with its reason printed:

- **spec**: the spec itself is contradictory, unsatisfiable or outside OpenAPI, so no answer
  could satisfy the checker:
  - an unsatisfiable response schema (the mock answers 500 "... cannot be satisfied");
  - a rejection (4xx) for which the operation documents no status at all (the mock picks a
    documented one whenever one fits, mock/_errors.py ``error_status``);
  - an Operation Object written as a ``$ref`` (OpenAPI allows ``$ref`` on a Path Item, not on
    an Operation: 3.0.3 §4.7.9): the checker reads no body, parameters or responses there, the
    mock follows the reference, so the two test different operations;
  - an operation that documents no response at all (OpenAPI 3.1 made ``responses`` optional):
    whatever the mock answers is undocumented;
  - a 204 or 304 the spec documents with content: HTTP gives them none (RFC 9110 §15.3.5,
    §15.4.5), so the mock sends none, and the checker wants the documented body;
  - "Unknown discriminator value" where the discriminator has no ``mapping``: its implicit
    values are the branch schemas' names (3.0.3 §4.7.25 Discriminator Object), while each
    branch's own ``enum``/``const`` for the property allows only other values, and the mock
    only serves values that validate;
  - path keys that differ only after ``#`` (AWS: ``/{Bucket}#encryption``, ``/{Bucket}#delete``)
    are one URL on the wire (RFC 3986 §3.5: a fragment is never sent): the request the checker
    aims at one key reaches another (the mock routes by the query, as S3 does);
  - a rejection answered with an unregistered 4xx the operation documents (AWS's 480-486,
    chosen by its description), where the operation documents none of the checker's list;
  - missing credentials answered 403 where the operation documents 403 and no 401;
  - an operation that documents no success status (no 2xx, 3xx or ``default``, Swagger
    petstore's ``POST /pet``: only ``405``): the mock answers a valid request with its lowest
    documented status (docs/mock.md, Statuses), and a stateful DELETE so answered still deletes;
  - the spec's own ``example``/``default`` breaks its declared ``format``: the checker sends it
    as valid. The one in the corpus is ``idn-hostname: Bücher.example``: RFC 5890 §2.3.2.3 makes
    an IDN of A-labels, U-labels and NR-LDH labels; RFC 5892 Appendix B makes U+0041..U+005A
    DISALLOWED, so a label holding ``ü`` and ``B`` is no U-label (RFC 5891 §5.4). A lookup
    application may first map it to ``bücher`` (RFC 5895, UTS #46), which is what
    jsonschema_rs accepts; the value itself is no IDN, and the mock's checker (the ``idna``
    package, IDNA2008) refuses it.
- **checker**: Schemathesis contradicts itself; its own validator (``jsonschema_rs`` from the
  peers venv, formats asserted) is the witness:
  - a JSON body sent as valid that jsonschema_rs refuses (Schemathesis's coverage phase drops
    ``format`` when ``type`` is a list: ``""`` for ``type: [string, null], format: date-time``;
    or ``oneOf`` branches that both match), and the mock refused it too;
  - a JSON body sent as invalid that jsonschema_rs accepts (a ``oneOf`` whose other branch
    matches once the discriminator value is mapped nowhere);
  - a path or query value carried by a link Schemathesis inferred (not one the spec declares:
    ``$response.body#/admin_badges/badge_ids/*``, items of any type) that breaks the
    parameter's schema.
- **disputed**: the mock follows a rule of OpenAPI that the checker does not, or the wire
  format cannot tell the two apart:
  - ``allowEmptyValue`` is false by default (OpenAPI 3.0.3 §4.7.12.1): every reason the mock
    gives for refusing the request is an empty ``?name=`` or form field;
  - a form (``application/x-www-form-urlencoded``; XML and multipart alike) carries ``photoUrls=AAA`` for a one-item
    array and for a string alike, objects inside arrays as their keys, and nothing at all for
    an empty object or array (so a required one sent empty is absent, and ``key=`` may be an
    empty container or an empty string): every reason is of those kinds;
  - Swagger 2.0 responses without a ``schema`` carry no body ("If this field does not exist,
    it means no content is returned", Swagger 2.0 Response Object), so the mock sends no
    Content-Type; the checker wants one of ``produces`` on every answer, a 204 included;
  - a request head beyond the mock's 64 KiB bound (docs/mock.md, Limits: a hostile-input bound,
    as every server has one) answers the protocol's 431, which no spec documents;
  - a parameter declared with ``content: {application/json: ...}`` sent as a Python repr
    (``{'a': 1}``, not JSON), which the mock cannot read as the object it is;
  - Swagger 2.0 ``formData`` with no required field: a request without a body is valid (all
    its fields absent); the checker sends it as invalid ("Missing request body");
  - Swagger 2.0 ``formData`` fields are parameters declared one by one: the checker closes them
    into an object with ``additionalProperties: false`` and sends an undeclared field as
    invalid; the spec closes no set (no more than it does for query parameters);
  - a header parameter named ``Authorization``, ``Accept`` or ``Content-Type`` "SHALL be
    ignored" (OpenAPI 3.x §4.8.12.1 Parameter Object): the checker requires it;
  - a query string is text: ``?tags=false`` is the one-item string array ``["false"]`` the
    checker meant as a boolean, and an object or array sent as no pairs is absent (every
    violation it lists is of those kinds);
  - a 405 for a method the templated operation documents, where the URL names a concrete path
    of the spec: OpenAPI 3.1 §4.8.8 matches the concrete path first, and its methods decide
    (docs/mock.md, Routing).
- **mock**: everything else. The target is zero.

Nothing is asserted: this is a measuring tool. Without specs on the command line it runs a
default set from ../shared/specs (Kubernetes first when the corpus has it); ``--corpus`` runs
every root document of ``MANIFEST.tsv`` except the drift pairs (older copies of the same APIs),
each under the same bounded budget (``--max-examples`` cases per operation, ``--max-time``
seconds of Schemathesis, which repeats fuzzing until the budget is spent). One line per spec
as it finishes: operations, the mock's own failures, the spec's, the checker's, the disputed
ones; then totals.
A spec that could not be tested (the mock did not start, Schemathesis wrote nothing) is listed as
such and counted apart: it is never a zero.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
PEERS = Path(os.environ.get("TOOLCHECK_PEERS_SCHEMATHESIS", "/work/peers/schemathesis"))
TOKEN = "tok_conformance_0123456789"
DEFAULT = ["kubernetes", "swagger-petstore-v3-3.0.yaml", "edge/readme-train-travel-3.1.yaml",
           "oai-petstore-expanded-3.0.yaml", "apisguru/circleci.com-v1.yaml", "spotify-official.yml"]


def st_bin(peers: Path) -> Path:
    target = peers / "bin" / "st"
    if not target.exists():
        print(f"installing schemathesis into {peers} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(peers)], check=True)
        subprocess.run([str(peers / "bin" / "pip"), "install", "-q", "schemathesis"], check=True)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def auth_headers(spec_path: Path) -> list[str]:
    """``-H`` values carrying TOKEN for the spec's header-borne security schemes."""
    sys.path.insert(0, str(ROOT / "src"))
    from toolcheck.spec import load_spec

    ref_root = _ref_root(spec_path)
    spec = load_spec(str(spec_path), ref_roots=[str(ref_root)] if ref_root else ())
    headers: dict[str, str] = {}
    for scheme in spec.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            headers.setdefault(scheme.param_name, TOKEN)
        elif scheme.type == "http" and scheme.scheme.lower() == "basic":
            headers.setdefault("Authorization", "Basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode())
        elif scheme.type in ("http", "oauth2", "openIdConnect"):
            headers.setdefault("Authorization", f"Bearer {TOKEN}")
    return [f"{name}: {value}" for name, value in headers.items()]


class Facts:
    """What the rules need to know about one spec: its version, Operation Objects that are
    ``$ref``s, whether any discriminator has a ``mapping``, and a mock to replay requests on."""

    def __init__(self, spec_path: Path, src: Path) -> None:
        import yaml

        raw: Any = {}
        try:
            text = spec_path.read_text()
            raw = json.loads(text) if spec_path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)
        except Exception:  # the mock says why a spec does not load
            raw = {}
        self.swagger2 = isinstance(raw, dict) and str(raw.get("swagger", "")).startswith("2")
        self.ref_operations: set[str] = set()
        for path, item in ((raw or {}).get("paths") or {}).items():
            for method, op in (item or {}).items() if isinstance(item, dict) else ():
                if isinstance(op, dict) and "$ref" in op and method in _METHODS:
                    self.ref_operations.add(f"{method.upper()} {path}")
        self.form_data_optional: set[str] = set()
        if self.swagger2:
            for path, item in ((raw or {}).get("paths") or {}).items():
                for method, op in (item or {}).items() if isinstance(item, dict) else ():
                    params = (op or {}).get("parameters") or [] if isinstance(op, dict) else []
                    form = [p for p in params if isinstance(p, dict) and p.get("in") == "formData"]
                    if form and not any(p.get("required") for p in form):
                        self.form_data_optional.add(f"{method.upper()} {path}")
        self.mapped_discriminators = '"mapping"' in json.dumps(raw, default=str)
        sys.path.insert(0, str(src))
        from toolcheck.mock.responder import Mock
        from toolcheck.spec import load_spec

        ref_root = _ref_root(spec_path)
        spec = load_spec(str(spec_path), ref_roots=[str(ref_root)] if ref_root else ())
        tokens = [TOKEN, base64.b64encode(f"user:{TOKEN}".encode()).decode()]
        self.spec = spec
        self.mock = Mock(spec, tokens=tokens, stateful=True)
        self.auth = auth_headers(spec_path)
        self.operations = {f"{op.method.upper()} {op.path}": op for op in spec.operations}
        self.examples = _declared_examples(raw)

    def operation(self, check: dict[str, Any]) -> Any:
        """The spec's operation a check is about: its label, else where the mock routes the request
        (stateful checks are labelled "Stateful tests")."""
        found = self.operations.get(str(check.get("operation", "")))
        if found is not None:
            return found
        return self.routed(check.get("request") or {})

    def routed(self, request: dict[str, Any]) -> Any:
        """The operation the mock routes ``request`` to (None when none)."""
        from urllib.parse import urlsplit

        uri = urlsplit(str(request.get("uri", "")))
        matched = self.mock.router.match(str(request.get("method", "GET")), uri.path, uri.query)
        return getattr(matched, "operation", None)

    def witness(self, check: dict[str, Any]) -> bool | None:
        """Does Schemathesis's own validator (jsonschema_rs, formats asserted) accept the JSON
        body the check sent, against the operation's body schema? None when it cannot say (no
        JSON body, no schema, jsonschema_rs not importable from the peers venv)."""
        request = check.get("request") or {}
        sent_type = " ".join(v for k, vs in (request.get("headers") or {}).items() if k.lower() == "content-type"
                             for v in (vs if isinstance(vs, list) else [vs]))
        op = self.operation(check)
        if "json" not in sent_type or op is None or op.request_body is None:
            return None
        media = next((m for t, m in op.request_body.content.items() if "json" in t), None)
        if media is None or media.schema is None or _WITNESS is None:
            return None
        try:
            body = json.loads(_raw(request))
            root = {k: v for k, v in self.spec.document.items() if k not in ("$id", "$schema", "allOf", "$defs")}
            root["allOf"] = [media.schema]
            return bool(_WITNESS.validator_for(root, validate_formats=True).is_valid(body))
        except Exception:  # noqa: BLE001 - a witness that cannot read the schema says nothing
            return None

    def issues(self, request: dict[str, Any]) -> list[str]:
        """The mock's reasons for refusing ``request`` (replayed in-process)."""
        from urllib.parse import urlsplit

        from toolcheck.mock.responder import MockRequest

        uri = urlsplit(str(request.get("uri", "")))
        headers = {k.lower(): ", ".join(v) if isinstance(v, list) else str(v)
                   for k, v in (request.get("headers") or {}).items()}
        for header in self.auth:  # sent with -H; the recorded request may not list them
            name, _, value = header.partition(": ")
            headers.setdefault(name.lower(), value)
        body = _raw(request)
        answer = self.mock.handle(MockRequest(str(request.get("method", "GET")), uri.path, uri.query, headers, body))
        return [issue.message for issue in answer.issues]


def _load_witness(peers: Path) -> Any:
    """jsonschema_rs from the Schemathesis venv: the validator Schemathesis itself checks with."""
    for site in sorted(peers.glob("lib/python*/site-packages")):
        if site.name and str(site) not in sys.path:
            sys.path.append(str(site))
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs


_WITNESS: Any = None


def _declared_examples(raw: Any) -> set[str]:
    """Every string a spec declares as an ``example``/``default``/``examples`` value (bounded walk)."""
    out: set[str] = set()
    stack, seen = [raw], 0
    while stack and seen < 500_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("example", "default") and isinstance(value, str):
                    out.add(value)
                elif key == "examples" and isinstance(value, list):
                    out.update(v for v in value if isinstance(v, str))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return out


_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_EMPTY = "is empty (allowEmptyValue is not set)"
_PYTHON_REPR = re.compile(r"parameter '[^']+': \"[{\[]'")


def classify(check: dict[str, Any], facts: Facts | None = None) -> tuple[str, str]:
    """``(kind, reason)`` for one failing check (the rules: see the module docstring)."""
    response = check.get("response") or {}
    body = _text(response)
    status = response.get("status_code")
    name = check.get("name")
    operation = str(check.get("operation", ""))
    if status == 500 and "cannot be satisfied" in body:
        return "spec", "unsatisfiable response schema (the mock says so with a 500)"
    if name == "status_code_conformance" and isinstance(status, int) and 400 <= status < 500:
        # The mock answers a rejection with a documented status that fits whenever there is one
        # (mock/_errors.py error_status); reaching here, the spec documents none for it.
        return "spec", "the spec documents no status for rejecting this request"
    if status == 431 and "request line and headers are larger than" in body:
        return "disputed", "the request head is beyond the mock's 64 KiB bound (431, a hostile-input limit)"
    if name == "status_code_conformance" and str(check.get("message", "")).rstrip().endswith("Documented:"):
        return "spec", "the operation documents no response at all: every status is undocumented"
    if facts is not None and operation in facts.ref_operations:
        return "spec", "the Operation Object is a $ref (OpenAPI allows none there): the checker reads another operation"
    if facts is not None and check.get("title") == "Unknown discriminator value" and not facts.mapped_discriminators:
        return "spec", "discriminator without mapping: implicit values (schema names) contradict the branches' enums"
    if facts is not None and facts.swagger2 and check.get("title") == "Missing Content-Type header" and not body:
        return "disputed", "Swagger 2.0: a response without a schema has no content, so no Content-Type"
    if facts is not None and operation in facts.form_data_optional and name == "negative_data_rejection" \
            and "Missing request body" in str(check.get("message")):
        return "disputed", "Swagger 2.0 formData, no field required: a request without a body is valid"
    request = check.get("request") or {}
    sent_type = " ".join(v for k, vs in (request.get("headers") or {}).items() if k.lower() == "content-type"
                         for v in (vs if isinstance(vs, list) else [vs]))
    if facts is not None:
        found = _facts_rule(check, facts, sent_type)
        if found is not None:
            return found
    form = "x-www-form-urlencoded" in sent_type
    if status in (204, 304) and check.get("title") in ("Missing Content-Type header", "JSON deserialization error"):
        return "spec", f"the spec documents content for a {status}, which HTTP forbids (RFC 9110 §15.3.5, §15.4.5)"
    if "xml" in sent_type or "multipart/form-data" in sent_type:
        form = True  # XML elements and multipart parts share the form's blind spots (flat text)
    if name == "negative_data_rejection" and form and "Incorrect type" in str(check.get("message")):
        return "disputed", "form encoding: a one-item array and a string are the same pairs"
    if name == "positive_data_acceptance" and isinstance(status, int) and 400 <= status < 500:
        reasons = facts.issues(request) if facts is not None else []
        if not reasons and "allowEmptyValue" in body:
            reasons = [_EMPTY]
        if reasons and all(_EMPTY in r for r in reasons):
            return "disputed", "OpenAPI: allowEmptyValue defaults to false, `?name=` is refused"
        if reasons and all(_PYTHON_REPR.search(r) for r in reasons):
            return "disputed", "the checker sends a JSON-content parameter as a Python repr ({'a': ...}), not JSON"
        if reasons and form and all(_EMPTY in r or _form_ambiguity(r) for r in reasons):
            return "disputed", "form encoding: empty containers have no pairs, arrays and strings look alike"
    return "mock", ""


_REJECTIONS = re.compile(r"Expected: ([^\n]*)")
_FORMAT_REASON = re.compile(r'"((?:[^"\\]|\\.)*)" is not a valid "([^"]+)"')
_TYPE_VIOLATION = re.compile(r"violates `type` at /properties/([^ ]+) \(was \w+, became (\w+)\)")
_IGNORED_HEADERS = ("authorization", "accept", "content-type")


def _facts_rule(check: dict[str, Any], facts: Facts, sent_type: str) -> tuple[str, str] | None:
    """The rules that need the spec's operations, the replay or Schemathesis's own validator."""
    from http import HTTPStatus

    response = check.get("response") or {}
    status = response.get("status_code")
    name = check.get("name")
    message = str(check.get("message", ""))
    label = str(check.get("operation", ""))
    request = check.get("request") or {}
    op = facts.operation(check)
    if "#" in label:
        routed = facts.routed(request)
        if routed is None or f"{routed.method.upper()} {routed.path}" != label:
            return "spec", ("path keys differing only after `#` are one URL on the wire (RFC 3986 §3.5: a fragment "
                            "is never sent): the request reaches another key of the same path")
    if status == 405 and label in facts.operations:
        from urllib.parse import urlsplit

        uri = urlsplit(str(request.get("uri", "")))
        for method in _METHODS:
            routed_op = getattr(facts.mock.router.match(method.upper(), uri.path, uri.query), "operation", None)
            if routed_op is not None and routed_op.path != facts.operations[label].path:
                return "disputed", ("OpenAPI 3.1 §4.8.8: a concrete path matches before its templated counterpart; "
                                    "the value sent names a concrete path whose methods decide (docs/mock.md)")
    if name == "negative_data_rejection" and isinstance(status, int) and 400 <= status < 500 and op is not None:
        expected = _REJECTIONS.search(message)
        listed = set(re.findall(r"\b4\d\d\b", expected.group(1))) if expected else set()
        try:
            HTTPStatus(status)
            registered = True
        except ValueError:
            registered = False
        if not registered and str(status) in op.responses and not listed & set(op.responses):
            return "spec", ("the operation documents its rejections only as unregistered 4xx statuses (AWS's 480-486): "
                            "the mock answers the documented one, the checker counts only registered ones")
    if name == "missing_required_header" and status == 403 and op is not None and "401" not in op.responses \
            and "403" in op.responses:
        return "spec", "the operation documents 403, not 401, for missing credentials: the mock answers the documented one"
    if op is not None and not op.security and name in ("missing_required_header", "negative_data_rejection") \
            and any(f"`{h}` at header" in message.lower().replace("missing `", "`") or f"'{h}' header" in message.lower()
                    for h in _IGNORED_HEADERS):
        return "disputed", ("OpenAPI 3.x §4.8.12.1: a header parameter named Authorization, Accept or Content-Type "
                            "SHALL be ignored; the checker requires it")
    if facts.swagger2 and name == "negative_data_rejection" and "in body" in message \
            and "additionalProperties" in message and ("form" in sent_type or "multipart" in sent_type):
        return "disputed", ("Swagger 2.0 formData fields are parameters declared one by one; the checker closes them "
                            "into an object with additionalProperties: false, the spec closes no set")
    if name == "negative_data_rejection" and isinstance(status, int) and status < 400 and "in body" in message \
            and facts.witness(check) is True:
        return "checker", "the body sent as invalid passes Schemathesis's own validator (jsonschema_rs)"
    if name == "negative_data_rejection" and op is not None and "in query" in message and status is not None \
            and status < 400 and _collapsed(op, request, message, facts):
        return "disputed", ("a query string is text: a boolean or number sent where a string (item) is allowed is that "
                            "string, and an object or array sent as no pairs is absent")
    if op is not None and name in ("positive_data_acceptance", "ensure_resource_availability") \
            and not any(k[:1] in ("2", "3") or k == "default" for k in op.responses):
        reasons = facts.issues(request)
        if all("does not exist" in r for r in reasons):
            return "spec", ("the operation documents no success status (no 2xx, 3xx or default): the mock answers a "
                            "valid request with its lowest documented status (docs/mock.md, Statuses)")
    if name == "positive_data_acceptance" and isinstance(status, int) and 400 <= status < 500:
        reasons = facts.issues(request)
        if reasons and facts.witness(check) is False:
            return "checker", "Schemathesis's own validator (jsonschema_rs, formats on) refuses the body it sent as valid"
        if reasons and check.get("inferred") and all(r.startswith(("path parameter", "query parameter"))
                                                     and _EMPTY not in r for r in reasons):
            return "checker", ("a value Schemathesis carried over by a link it inferred (not one the spec declares) "
                               "breaks the parameter's schema")
        formats = [_FORMAT_REASON.search(r) for r in reasons]
        if reasons and all(formats) and all(json.loads(f'"{m.group(1)}"') in facts.examples for m in formats if m):
            return "spec", ("the spec's own example or default breaks its declared format (idn-hostname: RFC 5892 App. B "
                            "makes A-Z DISALLOWED in a U-label, so `Bücher.example` is no IDN by RFC 5890 §2.3.2.3)")
    return None


def _collapsed(op: Any, request: dict[str, Any], message: str, facts: Facts) -> bool:
    """Every violation the checker lists for query parameters is lost on the wire: the parameter is
    absent (an object or empty array serialises to no pairs), or a scalar was sent where the schema
    (or its items) allows a string, so the text *is* that string."""
    from urllib.parse import parse_qs, urlsplit

    violations = _TYPE_VIOLATION.findall(message)
    if not violations or message.count("violates") != len(violations):
        return False
    sent = parse_qs(urlsplit(str(request.get("uri", ""))).query, keep_blank_values=True)
    params = {p.name: p for p in op.parameters if p.location == "query"}
    for name, became in violations:
        param = params.get(name)
        if param is None:
            return False
        if name not in sent:
            if param.required:
                return False
            continue
        schema = facts.spec.deref(param.schema) if isinstance(param.schema, dict) else {}
        items = facts.spec.deref(schema.get("items")) if isinstance(schema.get("items"), dict) else {}
        kinds = [schema.get("type"), items.get("type")]
        if became not in ("boolean", "number", "integer", "null") or "string" not in kinds:
            return False
    return True


def _form_ambiguity(reason: str) -> bool:
    """A refusal a form's flat pairs can cause from valid data (see the module docstring)."""
    return ("is a required property" in reason or "is not of type 'object'" in reason
            or "is not of type \"object\"" in reason or "is not of type \"array\"" in reason
            or "is not valid under any of the given schemas" in reason)


def _raw(request: dict[str, Any]) -> bytes:
    content = request.get("body")
    if isinstance(content, dict) and isinstance(content.get("$base64"), str):
        return base64.b64decode(content["$base64"])
    return content.encode() if isinstance(content, str) else b""


def _ref_root(spec_path: Path) -> Path | None:
    """A corpus spec in its own folder (multi-file) may read that whole folder (``--ref-root``)."""
    try:
        parts = spec_path.resolve().relative_to(SPECS.resolve()).parts
    except ValueError:
        return None
    return SPECS / parts[0] if len(parts) > 2 else None


def _text(response: dict[str, Any]) -> str:
    content = response.get("content", response.get("body"))
    if isinstance(content, dict) and isinstance(content.get("$base64"), str):
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return content if isinstance(content, str) else json.dumps(content) if content else ""


def failing_checks(ndjson: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        label = recorder.get("label", "")
        interactions = recorder.get("interactions") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = check.get("failure_info") or {}
                found = failure.get("failure") or {}
                response = (interactions.get(case_id) or {}).get("response") or {}
                request = (interactions.get(case_id) or {}).get("request") or {}
                key = (label, check.get("name", ""), str(found.get("title", "")) + str(found.get("message", ""))[:80])
                if key in seen:
                    continue
                seen.add(key)
                case = (recorder.get("cases") or {}).get(case_id) or {}
                inferred = bool((case.get("transition") or {}).get("is_inferred"))
                out.append({"operation": label, "name": check.get("name"), "title": found.get("title", ""),
                            "message": found.get("message", ""), "response": response,
                            "request": request, "inferred": inferred})
    return out


def run_one(spec_path: Path, st: Path, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = free_port()
    tokens = [TOKEN, base64.b64encode(f"user:{TOKEN}".encode()).decode()]
    cmd = [sys.executable, "-m", "toolcheck", "mock", str(spec_path), "--host", "127.0.0.1", "--port", str(port),
           "--stateful", "-q"] + [arg for token in tokens for arg in ("--token", token)]
    ref_root = _ref_root(spec_path)
    if ref_root is not None:
        cmd += ["--ref-root", str(ref_root)]
    log = open(workdir / f"mock-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(args.src)})
    try:
        if not wait_for(port, proc):
            log.flush()
            tail = (workdir / f"mock-{port}.log").read_text(errors="replace")[-300:]
            return {"spec": spec_path.name, "error": "the mock did not start: " + tail}
        ndjson = workdir / f"{spec_path.stem}.ndjson"
        st_cmd = [str(st), "run", str(spec_path), "--url", f"http://127.0.0.1:{port}", "--checks", "all",
                  "--seed", str(args.seed), "--generation-database", "none", "--max-examples", str(args.max_examples),
                  "--workers", "1",
                  "--continue-on-failure", "--max-time", str(args.max_time), "--request-timeout", "20",
                  "--report", "ndjson", "--report-ndjson-path", str(ndjson), "--no-color",
                  "--output-sanitize", "false"]  # the token is a dummy; the replay needs the real headers
        for header in auth_headers(spec_path):
            st_cmd += ["-H", header]
        started = time.monotonic()
        completed = subprocess.run(st_cmd, capture_output=True, text=True, cwd=workdir, timeout=args.max_time + 600)
        elapsed = time.monotonic() - started
        (workdir / f"{spec_path.stem}.st.txt").write_text(completed.stdout + completed.stderr)
        if not ndjson.exists():
            return {"spec": spec_path.name, "error": "schemathesis wrote no events: " + completed.stderr[-300:]}
        failures = failing_checks(ndjson)
        cases = sum(1 for line in ndjson.read_text().splitlines() if '"ScenarioFinished"' in line)
        return {"spec": spec_path.name, "failures": failures, "seconds": elapsed, "scenarios": cases,
                "alive": proc.poll() is None}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def corpus() -> list[str]:
    """Every root document the corpus manifest lists, drift pairs left out."""
    rows = (SPECS / "MANIFEST.tsv").read_text().splitlines()
    header = rows[0].split("\t")
    at = {name: i for i, name in enumerate(header)}
    out = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) == len(header) and cells[at["category"]] != "pair":
            out.append(cells[at["file"]])
    return out


def operation_count(spec_path: Path) -> int | None:
    sys.path.insert(0, str(ROOT / "src"))
    from toolcheck.spec import load_spec

    ref_root = _ref_root(spec_path)
    try:
        return len(load_spec(str(spec_path), ref_roots=[str(ref_root)] if ref_root else ()).operations)
    except Exception:  # a spec the loader refuses: the mock will say why
        return None


def resolve(names: list[str]) -> list[Path]:
    out: list[Path] = []
    for name in names:
        path = Path(name)
        if not path.exists():
            path = SPECS / name
        if not path.exists():
            matches = sorted(p for p in SPECS.rglob(f"*{name}*") if p.suffix in (".json", ".yaml", ".yml")
                             and len(p.relative_to(SPECS).parts) <= 2)  # whole specs, not their parts
            if not matches:
                print(f"skipped: no corpus spec matches {name!r}")
                continue
            path = matches[0]
        out.append(path)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", help="spec files or corpus names (default: a set from ../shared/specs)")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--max-time", type=int, default=300, help="seconds of Schemathesis per spec")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", type=Path, default=PEERS)
    parser.add_argument("--show", type=int, default=5, help="mock's own failures to print per spec")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the request and answer of each")
    parser.add_argument("--corpus", action="store_true", help="every spec of ../shared/specs/MANIFEST.tsv (no pairs)")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the toolcheck sources to serve with (e.g. an exported older commit, to compare)")
    parser.add_argument("--shard", default="1/1", help="K/N: every Nth spec from the Kth (parallel runs)")
    args = parser.parse_args()
    st = st_bin(args.peers)
    global _WITNESS
    _WITNESS = _load_witness(args.peers)
    if _WITNESS is None:
        print("note: jsonschema_rs not importable from the peers venv: the rules that ask Schemathesis's own "
              "validator are off (those failures stay the mock's)")
    specs = resolve(args.specs or (corpus() if args.corpus else DEFAULT))
    k, _, n = args.shard.partition("/")
    specs = specs[int(k) - 1 :: int(n)]
    with tempfile.TemporaryDirectory(prefix="mock-conformance-") as tmp:
        rows: list[tuple[Any, ...]] = []
        for spec_path in specs:
            label = str(spec_path.relative_to(SPECS) if SPECS in spec_path.parents else spec_path)
            print(f"--- {label}", flush=True)
            operations = operation_count(spec_path)
            if operations == 0:
                print("    nothing to test: the spec documents no operation (webhooks only)")
                rows.append((label, 0, None, None, None, None, 0.0, "no operations"))
                continue
            result = run_one(spec_path, st, args, Path(tmp))
            if "error" in result:
                print(f"    could not test: {result['error']}")
                rows.append((label, operations, None, None, None, None, 0.0, "could not test"))
                continue
            kinds: Counter[str] = Counter()
            try:
                facts: Facts | None = Facts(spec_path, args.src)
            except Exception as exc:  # noqa: BLE001 - then classified without the replay, and said so
                print(f"    (no replay: {type(exc).__name__}: {exc})")
                facts = None
            for failure in result["failures"]:
                kind, reason = classify(failure, facts)
                failure["kind"], failure["reason"] = kind, reason
                kinds[kind] += 1
            for failure in [f for f in result["failures"] if f["kind"] == "mock"][: args.show]:
                status = (failure["response"] or {}).get("status_code")
                print(f"    mock: {failure['operation']} {failure['name']}: {failure['title']} "
                      f"[{status}] {str(failure['message'])[:160]!r}")
                if args.verbose:
                    request = failure["request"] or {}
                    print(f"          {request.get('method')} {request.get('uri')} {_text(request)[:300]!r}")
                    print(f"          -> {_text(failure['response'] or {})[:300]!r}")
            for (kind, reason), count in Counter((f["kind"], f["reason"]) for f in result["failures"]
                                                 if f["kind"] != "mock").items():
                print(f"    {kind}: {count} x {reason}")
            note = "" if result["alive"] else "the mock died"
            if note:
                print("    the mock died during the run")
            rows.append((label, operations, kinds["mock"], kinds["spec"], kinds["checker"], kinds["disputed"],
                         result["seconds"], note))
            print(f"    = ops {operations}  mock {kinds['mock']}  spec {kinds['spec']}  checker {kinds['checker']}"
                  f"  disputed {kinds['disputed']}"
                  f"  ({result['seconds']:.0f} s, {result['scenarios']} scenarios)", flush=True)
    print()
    print(f"{'spec':56} {'ops':>5} {'mock':>5} {'spec':>5} {'chk.':>5} {'disp.':>5} {'seconds':>8}")
    totals: Counter[str] = Counter()
    for label, operations, mock, spec_count, checker, disputed, seconds, note in rows:
        ops = "?" if operations is None else str(operations)
        if mock is None:
            print(f"{label:56} {ops:>5} {note:>26}")
            totals[note] += 1
            continue
        print(f"{label:56} {ops:>5} {mock:>5} {spec_count:>5} {checker:>5} {disputed:>5} {seconds:>8.0f} {note}")
        totals["tested"] += 1
        totals["mock"] += mock
        totals["spec"] += spec_count
        totals["checker"] += checker
        totals["disputed"] += disputed
        totals["specs with mock failures"] += bool(mock)
    print(f"total: {totals['tested']} specs tested, {totals['mock']} mock's own failures "
          f"({totals['specs with mock failures']} specs), {totals['spec']} the spec's, {totals['checker']} the checker's, "
          f"{totals['disputed']} disputed; "
          f"{totals['could not test']} could not be tested, {totals['no operations']} have no operations")
    return 1 if totals["could not test"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
