"""What the fuzzer puts on the wire: AWS-style path keys, multipart parts, empty arrays in
forms, ids from ``Location`` and negatives judged by what a server parses (issue 5: false
positives). Pure: requests are built, then read back with the mock's own parsers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from toolcheck.fuzz.http import Auth, build
from toolcheck.fuzz.stateful import evaluate_expression
from toolcheck.mock._routing import Match, Router
from toolcheck.payloads import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable
from toolcheck.payloads.case import Case
from toolcheck.payloads.negative import negatives
from toolcheck.payloads.positive import CaseFactory
from toolcheck.spec import load_spec_dict
from toolcheck.wire.bodies import encode_body
from toolcheck.wire.read import read_multipart

OK = {"200": {"description": "ok"}}


def _spec(paths: dict[str, Any]) -> Any:
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})


def _q(name: str, required: bool = True, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema or {"type": "string"}}


BUCKET = {"name": "Bucket", "in": "path", "required": True, "schema": {"type": "string"}}
KEY = {"name": "Key", "in": "path", "required": True, "schema": {"type": "string"}}
S3 = {
    "/{Bucket}": {"get": {"operationId": "ListObjects", "parameters": [BUCKET], "responses": OK}},
    "/{Bucket}#cors": {"get": {"operationId": "GetBucketCors", "parameters": [BUCKET], "responses": OK}},
    "/{Bucket}#analytics&id": {"get": {"operationId": "GetBucketAnalytics", "parameters": [BUCKET, _q("id", True, {"type": "string", "maxLength": 5})],
                                       "responses": OK}},
    "/{Bucket}#analytics": {"get": {"operationId": "ListBucketAnalytics", "parameters": [BUCKET], "responses": OK}},
    "/{Bucket}/{Key}": {"delete": {"operationId": "DeleteObject", "parameters": [BUCKET, KEY], "responses": OK}},
    "/{Bucket}/{Key}#uploadId": {"delete": {"operationId": "AbortMultipartUpload",
                                            "parameters": [BUCKET, KEY, _q("uploadId", True, {"type": "string", "minLength": 3})],
                                            "responses": OK}},
    "/layers#find=LayerVersion&Arn": {"get": {"operationId": "GetLayerByArn", "parameters": [_q("Arn")],
                                              "responses": OK}},
    "/layers": {"get": {"operationId": "ListLayers", "parameters": [_q("limit", False, {"type": "integer"})],
                        "responses": OK}},
    "/?Action=List": {"get": {"operationId": "ListAction", "parameters": [_q("page", False)], "responses": OK}},
}


def _routed(spec: Any, case: Case) -> tuple[str, str]:
    """The URL ``build`` makes for ``case`` and the operation the mock's router reads from it."""
    _method, url, _headers, _body = build(spec, spec.operation(case.operation_id), case, Auth())
    path, _, query = url.partition("?")
    assert "#" not in url
    found = Router(spec).match(case.method, path, query)
    assert isinstance(found, Match), url
    return url, found.operation.operation_id


@pytest.mark.parametrize(("op_id", "params", "query", "url"), [
    ("GetBucketCors", {"Bucket": "b"}, {}, "/b?cors"),
    ("ListObjects", {"Bucket": "b"}, {}, "/b"),
    ("GetBucketAnalytics", {"Bucket": "b"}, {"id": "x"}, "/b?analytics&id=x"),
    ("ListBucketAnalytics", {"Bucket": "b"}, {}, "/b?analytics"),
    ("AbortMultipartUpload", {"Bucket": "b", "Key": "k"}, {"uploadId": "u 1"}, "/b/k?uploadId=u%201"),
    ("GetLayerByArn", {}, {"Arn": "a"}, "/layers?find=LayerVersion&Arn=a"),
    ("ListAction", {}, {"page": "2"}, "/?Action=List&page=2"),
])
def test_path_key_suffixes_select_the_intended_operation(op_id: str, params: dict[str, str],
                                                         query: dict[str, str], url: str) -> None:
    spec = _spec(S3)
    op = spec.operation(op_id)
    case = Case(op_id, op.method, op.path, path_params=params, query=query)
    assert _routed(spec, case) == (url, op_id)


def test_no_missing_required_negative_for_a_parameter_that_selects_the_operation() -> None:
    # Without uploadId, AbortMultipartUpload *is* DeleteObject on the wire: such a negative would
    # be judged against the wrong operation.
    spec = _spec(S3)
    for op_id, name in (("AbortMultipartUpload", "uploadId"), ("GetBucketAnalytics", "id")):
        factory = CaseFactory(spec, spec.operation(op_id), random.Random(1))
        cases = negatives(spec, factory, factory.positive(MINIMAL))
        assert cases, op_id
        assert not [c for c in cases if c.keyword == "required" and c.pointer == f"query/{name}"]
        for case in cases:  # every remaining negative still reaches the operation it is about
            assert _routed(spec, case)[1] == op_id


MULTIPART_BODY = {"type": "object", "required": ["meta", "tags", "file"], "properties": {
    "meta": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}},
    "tags": {"type": "array", "items": {"type": "string"}},
    "rows": {"type": "array", "items": {"type": "object"}},
    "file": {"type": "string"}}}


def test_multipart_containers_are_json_parts_unless_encoding_says_otherwise() -> None:
    body = {"meta": {"a": 1, "b": "x,y"}, "tags": ["p", "q"], "rows": [{"k": 1}], "file": "data"}
    case = Case("up", "post", "/up", body=body, media_type="multipart/form-data")
    raw, media = encode_body(case.body, case.media_type, {})
    assert raw is not None and media is not None
    text = raw.decode()
    assert 'name="meta"\r\nContent-Type: application/json\r\n\r\n{"a":1,"b":"x,y"}\r\n' in text
    assert read_multipart(media, raw) == body  # the mock reads back exactly what was meant
    raw, media = encode_body(case.body, case.media_type, {"tags": {"contentType": "text/plain"}})
    assert raw is not None and media is not None
    assert raw.decode().count('name="tags"') == 2  # one text part per item (RFC 7578 §4.3)
    assert read_multipart(media, raw) == body


def _form_op(media: str, encoding: dict[str, Any] | None = None, max_items: int | None = None) -> Any:
    tags: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if max_items is not None:
        tags["maxItems"] = max_items
    schema = {"type": "object", "required": ["tags"], "properties": {"tags": tags, "opt": {"type": "array", "items": {"type": "integer"}}}}
    content: dict[str, Any] = {"schema": schema}
    if encoding:
        content["encoding"] = encoding
    spec = _spec({"/f": {"post": {"operationId": "f", "requestBody": {"required": True, "content": {media: content}},
                                  "responses": OK}}})
    return spec, spec.operation("f")


def test_urlencoded_forms_never_carry_an_empty_array_in_a_positive_case() -> None:
    spec, op = _form_op("application/x-www-form-urlencoded")
    factory = CaseFactory(spec, op, random.Random(3))
    for mode in (MINIMAL, MAXIMAL, *[RANDOM] * 30):
        case = factory.positive(mode)
        assert case.body["tags"], mode  # minimal would be [], which the form sends as nothing
        assert case.body.get("opt", [0]), mode  # an empty optional array is left out instead
        _m, _u, _h, raw = build(spec, op, case, Auth())
        assert raw is not None and b"tags=" in raw
    spec, op = _form_op("application/x-www-form-urlencoded", max_items=0)
    with pytest.raises(Unsatisfiable):
        CaseFactory(spec, op, random.Random(3)).positive(MINIMAL)


def test_multipart_forms_send_an_empty_array_as_json() -> None:
    spec, op = _form_op("multipart/form-data")
    case = CaseFactory(spec, op, random.Random(3)).positive(MINIMAL)
    assert case.body == {"tags": []}
    _m, _u, headers, raw = build(spec, op, case, Auth())
    assert raw is not None and read_multipart(headers["Content-Type"], raw) == {"tags": []}
    spec, op = _form_op("multipart/form-data", encoding={"tags": {"contentType": "text/plain"}}, max_items=0)
    with pytest.raises(Unsatisfiable):  # one part per item: an empty array is no part at all
        CaseFactory(spec, op, random.Random(3)).positive(MINIMAL)


@pytest.mark.parametrize(("location", "expected"), [
    ("/files/a%20b%2Fc", "a b/c"),
    ("https://api.example.com/files/caf%C3%A9?version=2", "café"),
    ("/files/plain/", "plain"),
])
def test_location_ids_are_percent_decoded(location: str, expected: str) -> None:
    value = evaluate_expression("$response.header.Location", request_path={}, body=None,
                                headers={"Location": location})
    assert value == expected


def test_a_read_built_from_a_decoded_location_id_reaches_the_same_resource() -> None:
    spec = _spec({"/files/{id}": {"get": {"operationId": "read", "parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}], "responses": OK}}})
    value = evaluate_expression("$response.header.Location", request_path={}, body=None, headers={"location": "/files/a%20b"})
    case = Case("read", "get", "/files/{id}", path_params={"id": value})
    _m, url, _h, _b = build(spec, spec.operation("read"), case, Auth())
    assert url == "/files/a%20b"  # encoded once, not "/files/a%2520b"


CREATED = {"anyOf": [{"type": "object", "properties": {"gte": {"type": "integer"}}}, {"type": "integer"}]}


def test_numbers_as_strings_are_negatives_only_where_the_wire_form_differs() -> None:
    spec = _spec({"/a": {"post": {
        "operationId": "a",
        "parameters": [_q("created", True, CREATED), _q("limit", True, {"type": "integer", "maximum": 10}),
                       {"name": "filter", "in": "query", "required": True,
                        "content": {"application/json": {"schema": {"type": "integer"}}}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}},
        "responses": OK}}})
    factory = CaseFactory(spec, spec.operation("a"), random.Random(0))
    base = factory.positive(MINIMAL)
    cases = negatives(spec, factory, base)
    strings = [c for c in cases if "number as a string" in c.label]
    # ?created=0 and ?created="0"-as-a-string are the same bytes; in JSON they are not.
    assert [c.pointer for c in strings] == ["body/n"]
    labels = {c.label for c in cases}
    assert "fraction where an integer is expected in created" in labels and "above maximum 10 in limit" in labels
    # a JSON `content` parameter: "0" goes out as 0, so it is no negative either
    assert not [c for c in cases if c.pointer == "query/filter" and c.body == base.body and c.query.get("filter") == "0"]
    assert "empty value for numeric filter" in labels  # "" is no JSON integer: a real negative


def test_parameter_negatives_are_labelled_by_what_the_server_parses() -> None:
    # Twilio's AccountSid: 12345 goes out as the text "12345", which breaks the pattern, not the type.
    sid = {"name": "Sid", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^AC[0-9a-f]{4}$"}}
    spec = _spec({"/a/{Sid}": {"get": {"operationId": "a", "parameters": [sid], "responses": OK}}})
    factory = CaseFactory(spec, spec.operation("a"), random.Random(0))
    cases = {c.label: c for c in negatives(spec, factory, factory.positive(MINIMAL))}
    assert cases["number instead of a string in Sid"].keyword == "pattern"


def test_xml_bodies_are_sent_as_xml_not_json() -> None:
    import xml.etree.ElementTree as ET

    body = {"CORSConfiguration": {"CORSRule": [{"AllowedMethod": ["GET", "PUT"], "MaxAgeSeconds": 5}, {"ID": "a<b"}]}}
    case = Case("PutBucketCors", "put", "/{Bucket}#cors", body=body, media_type="text/xml")
    raw, media = encode_body(case.body, case.media_type)
    assert media == "text/xml" and raw is not None
    root = ET.fromstring(raw)  # well-formed, and shaped as S3 reads it
    assert root.tag == "CORSConfiguration"
    assert [r.findtext("ID") for r in root.findall("CORSRule")] == [None, "a<b"]
    assert [m.text for m in root.findall("CORSRule/AllowedMethod")] == ["GET", "PUT"]
    spec = _spec({"/p": {"post": {"operationId": "p", "requestBody": {"content": {"application/xml": {"schema": {
        "type": "object", "xml": {"name": "Pet"}, "properties": {"name": {"type": "string"}, "ok": {"type": "boolean"}}}}}},
        "responses": OK}}})
    case = Case("p", "post", "/p", body={"name": "x", "ok": True}, media_type="application/xml")
    _m, _u, _h, sent = build(spec, spec.operation("p"), case, Auth())
    assert sent is not None and sent.endswith(b"<Pet><name>x</name><ok>true</ok></Pet>")


def test_nested_deep_object_query_and_form_use_brackets_the_mock_reads() -> None:
    # Stripe's status_transitions[posted_at] is itself an object: one bracket level with JSON
    # below it ("...[posted_at]={"gte":1}") made the mock reject a valid case (positive_rejected).
    from urllib.parse import urlsplit

    from toolcheck.mock import Mock, MockRequest

    deep = {"type": "object", "properties": {"posted_at": {"anyOf": [
        {"type": "object", "properties": {"gte": {"type": "integer"}, "lte": {"type": "integer"}}}, {"type": "integer"}]}}}
    form = {"type": "object", "properties": {"meta": deep, "tags": {"type": "array", "items": {"type": "string"}}}}
    spec = _spec({"/tx": {"post": {
        "operationId": "tx",
        "parameters": [{"name": "st", "in": "query", "style": "deepObject", "explode": True, "schema": deep}],
        "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": form, "encoding": {"meta": {"style": "deepObject", "explode": True}}}}},
        "responses": {**OK, "400": {"description": "bad"}}}}})
    op = spec.operation("tx")
    value = {"posted_at": {"gte": 1, "lte": 9}}
    case = Case("tx", "post", "/tx", query={"st": value}, body={"meta": value, "tags": ["a"]},
                media_type="application/x-www-form-urlencoded")
    method, url, headers, body = build(spec, op, case, Auth())
    assert "st%5Bposted_at%5D%5Bgte%5D=1" in url and b"meta%5Bposted_at%5D%5Blte%5D=9" in (body or b"")
    split = urlsplit(url)
    answer = Mock(spec).handle(MockRequest(method, split.path, split.query, {k.lower(): v for k, v in headers.items()}, body or b""))
    assert answer.status == 200, answer.body
