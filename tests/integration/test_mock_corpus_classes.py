"""Classes of the mock's own failures found by ``benchmarks/mock_conformance.py --corpus``
(Schemathesis against ``toolcheck mock`` on every corpus spec), each over a real socket on a
small spec written for it (never a corpus file).
"""

from __future__ import annotations

from typing import Any

import jsonschema

from tests.integration.test_mock_fidelity import THING, _doc, _json, serve

# A payment source in the shape OpenAPI 3.0.3 §4.7.25 describes: `cvc` is writeOnly and required
# (required in requests only), `id` and `status` readOnly and required (required in responses
# only). The `anyOf` with `unevaluatedProperties: false` is where a stray member cannot hide.
_CARD = {"title": "Card", "type": "object", "required": ["number", "cvc"],
         "properties": {"object": {"const": "card"}, "number": {"type": "string"},
                        "cvc": {"type": "integer", "writeOnly": True},
                        "address_line1": {"type": "string", "writeOnly": True}}}
_BANK = {"title": "Bank", "type": "object", "required": ["object", "account", "verified"],
         "properties": {"object": {"const": "bank"}, "account": {"type": "string"},
                        "verified": {"type": "boolean", "readOnly": True}}}
_PAYMENT = {"type": "object", "required": ["id", "amount", "source", "status"],
            "properties": {"id": {"type": "string", "readOnly": True},
                           "amount": {"type": "number"},
                           "status": {"type": "string", "enum": ["pending", "done"], "readOnly": True},
                           "source": {"unevaluatedProperties": False, "anyOf": [_CARD, _BANK]}}}
_EXAMPLE = {"id": "pay_1", "amount": 9.5, "status": "done",
            "source": {"object": "card", "number": "****4242", "cvc": 123, "address_line1": "1 Fake St"}}


def _visibility_doc(with_example: bool) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Payment"}}
    if with_example:
        media["examples"] = {"card": {"value": _EXAMPLE}}
    created = {"description": "created", "content": {"application/json": media}}
    return _doc({
        "/payments": {"post": {"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Payment"}}}},
            "responses": {"201": created, "400": {"description": "bad"}}}},
        "/payments/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                   "schema": {"type": "string"}}],
                                   "responses": {"200": created, "404": {"description": "none"}}}},
    }, components={"schemas": {"Payment": _PAYMENT}})


def _response_view(schema: Any) -> Any:
    """The schema as a response must satisfy it, the way Schemathesis reads it: writeOnly
    members dropped from `required` and forbidden (a hand-made copy, independent of the mock)."""
    if isinstance(schema, list):
        return [_response_view(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _response_view(v) for k, v in schema.items()}
    hidden = [name for name, sub in (schema.get("properties") or {}).items() if sub.get("writeOnly")]
    if hidden:
        out["required"] = [n for n in out.get("required", []) if n not in hidden]
        out["not"] = {"anyOf": [{"required": [n]} for n in hidden]}
    return out


def _assert_no_write_only(body: Any) -> None:
    jsonschema.Draft202012Validator(_response_view(_PAYMENT)).validate(body)
    assert "cvc" not in str(body) and "address_line1" not in str(body), body


def test_responses_never_carry_write_only_members() -> None:
    # The documented example shows `cvc`: it is served without it (still valid once stripped).
    with serve(_visibility_doc(with_example=True)) as client:
        body = {"amount": 3, "source": {"object": "card", "number": "4242", "cvc": 999}}
        created = client.post("/payments", json=body)
        assert created.status_code == 201, created.text
        _assert_no_write_only(created.json())
        assert created.json()["source"]["number"] == "****4242"  # the example, not a generated body
    # Generated bodies and, in stateful mode, what the client sent (and the store kept) alike.
    with serve(_visibility_doc(with_example=False), stateful=True) as client:
        created = client.post("/payments", json=body)
        assert created.status_code == 201, created.text
        _assert_no_write_only(created.json())
        read = client.get(f"/payments/{created.json()['id']}")
        assert read.status_code == 200, read.text
        _assert_no_write_only(read.json())
        assert read.json()["amount"] == 3
        for n in range(5):  # the stateless generator, over different requests
            generated = client.get(f"/payments/never-created-{n}")
            if generated.status_code == 200:
                _assert_no_write_only(generated.json())


def test_requests_need_not_carry_read_only_members() -> None:
    # `id` and `status` are required and readOnly, `verified` too inside an anyOf branch:
    # a request leaving them out is valid (OpenAPI 3.0.3 §4.7.25); `cvc`, writeOnly, is required.
    with serve(_visibility_doc(with_example=False)) as client:
        ok = client.post("/payments", json={"amount": 1, "source": {"object": "bank", "account": "12"}})
        assert ok.status_code == 201, ok.text
        missing_cvc = client.post("/payments", json={"amount": 1, "source": {"object": "card", "number": "4"}})
        assert missing_cvc.status_code == 400, missing_cvc.text


def test_stateful_answers_use_the_documented_media_type() -> None:
    # SCIM (RFC 7644 §3.1) answers `application/scim+json`; the stateful store's answers used to
    # go out as `application/json`, a type the operation does not document.
    user = {"type": "object", "required": ["id", "userName"],
            "properties": {"id": {"type": "string"}, "userName": {"type": "string"}}}
    scim = {"description": "ok", "content": {"application/scim+json": {"schema": user}}}
    doc = _doc({
        "/Users": {"post": {"requestBody": {"content": {"application/json": {"schema": user}}},
                            "responses": {"201": scim}}},
        "/Users/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                "schema": {"type": "string"}}],
                                "responses": {"200": scim, "404": {"description": "none"}}}},
    })
    with serve(doc, stateful=True) as client:
        created = client.post("/Users", json={"id": "u1", "userName": "ada"})
        assert created.status_code == 201, created.text
        assert created.headers["content-type"] == "application/scim+json"
        read = client.get(f"/Users/{created.json()['id']}")
        assert read.status_code == 200 and read.json()["userName"] == "ada", read.text
        assert read.headers["content-type"] == "application/scim+json"


def test_an_empty_form_is_a_form_with_no_fields() -> None:
    # An empty urlencoded body is a complete form of zero pairs (WHATWG URL §5.1), unlike an
    # empty JSON body, which is no document at all: so the optional body is present and must
    # carry its required field.
    form = {"type": "object", "required": ["criteria"],
            "properties": {"criteria": {"type": "string"}, "rows": {"type": "integer"}}}
    doc = _doc({"/search": {"post": {
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": form}}},
        "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}})
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    with serve(doc) as client:
        assert client.post("/search", content=b"", headers=form_type).status_code == 400
        assert client.post("/search", content=b"criteria=a", headers=form_type).status_code == 200
        assert client.post("/search").status_code == 200  # no body at all: it is optional


def test_swagger2_errors_use_produces_even_without_response_schemas() -> None:
    # Swagger 2.0 `produces` names what the operation answers; with no response schema at all
    # the error body still goes out in a produced JSON type, not application/problem+json.
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
           "paths": {"/lint": {"post": {"produces": ["application/xml", "application/json", "text/plain"],
                                        "parameters": [{"name": "limit", "in": "query", "type": "integer"}],
                                        "responses": {"201": {"description": "linted"}}}}}}
    with serve(doc) as client:
        response = client.post("/lint", params={"limit": "ten"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json", response.headers


def test_documented_content_without_schema_is_labelled() -> None:
    # OpenAPI 3: `content: {text/xml: {}}` documents a body of that type, shape unspecified;
    # the answer carries that Content-Type (an empty document), not an unlabelled nothing.
    doc = _doc({"/bucket": {"put": {"responses": {"200": {"description": "ok", "content": {
        "text/xml": {}}}}}}})
    with serve(doc) as client:
        response = client.put("/bucket")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml"), response.headers


def test_a_null_body_is_the_json_document_null() -> None:
    # `type: [array, "null"]` (Discord's lists): when the answer is null, the body is the JSON
    # text `null` (RFC 8259 §2: any value is a JSON text) with its Content-Type, never an
    # unlabelled empty 200 that no JSON reader can parse.
    doc = _doc({"/nothing": {"get": {"responses": {"200": _json({"type": "null"})}}},
                "/maybe": {"get": {"responses": {"200": _json({"type": ["array", "null"],
                                                               "items": {"type": "integer"}})}}}})
    with serve(doc) as client:
        response = client.get("/nothing")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json", response.headers
        assert response.content == b"null"
        for n in range(40):  # null is drawn now and then: every draw is a JSON document
            maybe = client.get("/maybe", params={"n": n})
            assert maybe.headers["content-type"] == "application/json", maybe.headers
            assert maybe.json() is None or isinstance(maybe.json(), list)


def test_stateful_answers_in_a_non_json_documented_type_carry_a_body() -> None:
    # S3: `PUT /{Bucket}` documents `200` as `text/xml` only. The stateful store keeps what was
    # sent, and the answer is still the documented XML body with its Content-Type.
    out = {"type": "object", "properties": {"Location": {"type": "string"}}}
    xml = {"description": "ok", "content": {"text/xml": {"schema": out}}}
    doc = _doc({
        "/buckets": {"post": {"requestBody": {"content": {"application/json": {"schema": THING}}},
                              "responses": {"201": _json(THING)}}},
        "/buckets/{id}": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                          "get": {"responses": {"200": _json(THING), "404": {"description": "none"}}},
                          "put": {"responses": {"200": xml}}},
    })
    with serve(doc, stateful=True) as client:
        created = client.post("/buckets", json={"id": "b1", "name": "logs"})
        assert created.status_code == 201, created.text
        put = client.put("/buckets/b1")
        assert put.status_code == 200
        assert put.headers.get("content-type", "").startswith("text/xml"), put.headers
        assert put.content.startswith(b"<?xml"), put.content


def test_what_hangs_under_a_deleted_resource_is_gone_too() -> None:
    # After `DELETE /tags/{id}`, `GET /tags/{id}/sites` answers the 404 it documents: the
    # sub-resources of a deleted resource are no more available than the resource itself.
    tag_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    sites = _json({"type": "array", "items": {"type": "string"}})
    doc = _doc({
        "/tags": {"post": {"requestBody": {"content": {"application/json": {"schema": THING}}},
                           "responses": {"201": _json(THING)}}},
        "/tags/{id}": {"parameters": [tag_id],
                       "get": {"responses": {"200": _json(THING), "404": {"description": "none"}}},
                       "delete": {"responses": {"204": {"description": "gone"}, "404": {"description": "none"}}}},
        "/tags/{id}/sites": {"parameters": [tag_id],
                             "get": {"responses": {"200": sites, "404": {"description": "none"}}}},
    })
    with serve(doc, stateful=True) as client:
        created = client.post("/tags", json={"id": "t1", "name": "blue"})
        assert created.status_code == 201, created.text
        assert client.get("/tags/t1/sites").status_code == 200
        assert client.delete("/tags/t1").status_code == 204
        assert client.get("/tags/t1").status_code == 404
        gone = client.get("/tags/t1/sites")
        assert gone.status_code == 404, gone.text
        assert client.get("/tags/t2/sites").status_code == 200  # another tag's sites are untouched


def test_a_head_beyond_the_bound_in_one_read_is_refused_with_431() -> None:
    # Discord: a 70 KB path sent in one write used to reach the HTTP parser whole, whose URL parser
    # cannot read past 65535 bytes: an undocumented `400 text/plain`. The mock's own bound answers.
    import socket

    doc = _doc({"/invites/{code}": {"get": {"parameters": [{"name": "code", "in": "path", "required": True,
                                                           "schema": {"type": "string"}}],
                                            "responses": {"200": _json(THING)}}}})
    with serve(doc) as client:
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /invites/" + b"a" * 70_000 + b"?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
        assert b"application/problem+json" in answer
        assert client.get("/invites/" + "a" * 1000).status_code == 200  # a long path within the bound


def test_malformed_multipart_is_refused() -> None:
    # RFC 2046 §5.1.1: the close delimiter is a line of its own; RFC 7578 §4.2: every part has a
    # `Content-Disposition: form-data; name=...`. A body breaking either is no form at all, even
    # where the schema asks for nothing (every field optional).
    form = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                             "note": {"type": "string"}}}
    doc = _doc({"/upload": {"post": {
        "requestBody": {"content": {"multipart/form-data": {"schema": form}}},
        "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}})
    multipart = {"content-type": "multipart/form-data; boundary=B"}
    with serve(doc) as client:
        good = b'--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--B--\r\n'
        assert client.post("/upload", content=good, headers=multipart).status_code == 200
        assert client.post("/upload", content=b"--B--\r\n", headers=multipart).status_code == 200  # no fields
        for broken in (b"--B\r\n1061--B--\r\n",  # no header/body separator, no close delimiter
                       b'--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n',  # never closed
                       b"--B\r\n\r\nhi\r\n--B--\r\n",  # a part without a name
                       b"junk"):
            refused = client.post("/upload", content=broken, headers=multipart)
            assert refused.status_code == 400, (broken, refused.text)


def test_idn_hostname_follows_idna2008() -> None:
    # JSON Schema's `idn-hostname` is an IDN as RFC 5890 §2.3.2.3 defines it: every label an
    # A-label, U-label or NR-LDH label. RFC 5892 Appendix B makes U+0041..U+005A DISALLOWED, so a
    # label holding both `ü` and `B` is no U-label (RFC 5891 §5.4): `Bücher.example` is refused,
    # `bücher.example` (its lower-case form, which a lookup would map it to) is accepted.
    param = {"name": "host", "in": "query", "required": True, "schema": {"type": "string", "format": "idn-hostname"}}
    doc = _doc({"/check": {"get": {"parameters": [param], "responses": {"200": {"description": "ok"},
                                                                        "400": {"description": "bad"}}}}})
    with serve(doc) as client:
        assert client.get("/check", params={"host": "bücher.example"}).status_code == 200
        assert client.get("/check", params={"host": "실례.테스트"}).status_code == 200
        assert client.get("/check", params={"host": "BUCHER.example"}).status_code == 200  # NR-LDH labels
        refused = client.get("/check", params={"host": "Bücher.example"})
        assert refused.status_code == 400 and "idn-hostname" in refused.text, refused.text
