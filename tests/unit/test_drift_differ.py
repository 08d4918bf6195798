"""diff() on small inline specs: direction, refactors that are not changes, cycles, agent rules."""

from __future__ import annotations

import copy
from typing import Any

from toolcheck.drift import diff
from toolcheck.spec import load_spec_dict


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.1.0",
         **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    doc.update(extra)
    return doc


def op(body: Any = None, response: Any = None, **extra: Any) -> dict[str, Any]:
    o: dict[str, Any] = {"operationId": "createThing", "responses": {"200": {"description": "ok"}}}
    if body is not None:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if response is not None:
        o["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    o.update(extra)
    return o


def run(old: dict[str, Any], new: dict[str, Any]):  # type: ignore[no-untyped-def]
    return diff(load_spec_dict(old), load_spec_dict(new))


def main(report: Any) -> list[Any]:
    """Findings without the version-bump reminder every breaking test pair also triggers."""
    return [f for f in report.findings if f.rule != "api-version-not-bumped"]


def rules(report: Any, level: str | None = None) -> set[str]:
    return {f.rule for f in main(report) if level is None or f.level == level}


OBJ: dict[str, Any] = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 10},
                                                             "age": {"type": "integer"}}}


def test_identical_specs_have_no_findings() -> None:
    doc = spec({"/t": {"post": op(OBJ, OBJ)}})
    assert run(doc, copy.deepcopy(doc)).findings == ()


def test_direction_request_tightening_and_response_loosening_break() -> None:
    tighter = copy.deepcopy(OBJ)
    tighter["properties"]["name"]["maxLength"] = 5
    report = run(spec({"/t": {"post": op(OBJ, OBJ)}}), spec({"/t": {"post": op(tighter, tighter)}}))
    levels = {f.rule: f.level for f in report.findings}
    assert levels["request-max-length-decreased"] == "error"
    assert levels["response-max-length-decreased"] == "info"
    looser = copy.deepcopy(OBJ)
    looser["properties"]["name"]["maxLength"] = 50
    report = run(spec({"/t": {"post": op(OBJ, OBJ)}}), spec({"/t": {"post": op(looser, looser)}}))
    levels = {f.rule: f.level for f in report.findings}
    assert levels["request-max-length-increased"] == "info"
    assert levels["response-max-length-increased"] == "error"


def test_ref_to_inline_refactor_is_not_a_change() -> None:
    old = spec({"/t": {"post": op({"$ref": "#/components/schemas/Thing"}, {"$ref": "#/components/schemas/Thing"})}},
               {"Thing": OBJ})
    new = spec({"/t": {"post": op(OBJ, OBJ)}}, {})
    report = run(old, new)
    assert not {f for f in report.findings if f.level != "info"}
    assert rules(report) <= {"api-schema-removed"}


def test_allof_flattening_is_not_a_change() -> None:
    flat = {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}
    split = {"allOf": [{"$ref": "#/components/schemas/Named"},
                       {"type": "object", "properties": {"age": {"type": "integer"}}}]}
    named = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    report = run(spec({"/t": {"post": op(flat, flat)}}, {"Named": named}),
                 spec({"/t": {"post": op(split, split)}}, {"Named": named}))
    assert not [f for f in report.findings if f.level != "info"], report.findings


def test_openapi_30_and_its_31_rewrite_are_equivalent() -> None:
    s30 = spec({"/t": {"get": {"operationId": "getT", "parameters": [
        {"name": "n", "in": "query", "schema": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"a": {"type": "string", "nullable": True},
                                             "b": {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": True}}}}}}}}}},
        {"B": {"type": "string", "enum": ["x", "y"], "nullable": True}}, version="3.0.3")
    s31 = spec({"/t": {"get": {"operationId": "getT", "parameters": [
        {"name": "n", "in": "query", "schema": {"type": "integer", "exclusiveMinimum": 0}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"a": {"type": ["string", "null"]},
                                             "b": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]}}}}}}}}}},
        {"B": {"type": ["string", "null"], "enum": ["x", "y", None]}})
    report = run(s30, s31)
    assert not [f for f in report.findings if f.level != "info"], report.findings


def test_nullable_added_in_a_response_breaks() -> None:
    old = spec({"/t": {"post": op(response={"type": "object", "properties": {"a": {"type": "string"}}})}})
    new = spec({"/t": {"post": op(response={"type": "object", "properties": {"a": {"type": ["string", "null"]}}})}})
    report = run(old, new)
    assert [f.rule for f in report.findings if f.level == "error"] == ["response-became-nullable"]


def test_cyclic_components_terminate_and_report_once() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"},
                                             "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
    changed = copy.deepcopy(node)
    changed["properties"]["name"]["maxLength"] = 3
    ref = {"$ref": "#/components/schemas/Node"}
    report = run(spec({"/t": {"post": op(ref, ref)}}, {"Node": node}),
                 spec({"/t": {"post": op(ref, ref)}}, {"Node": changed}))
    req = [f for f in report.findings if f.rule == "request-max-length-set"]
    assert len(req) == 1 and req[0].level == "warning"


def test_shared_component_change_is_one_finding_listing_operations() -> None:
    ref = {"$ref": "#/components/schemas/Thing"}
    smaller = copy.deepcopy(OBJ)
    del smaller["properties"]["name"]
    paths = {f"/t{i}": {"get": {"operationId": f"get{i}", "responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "object", "properties": {"thing": ref}}}}}}}} for i in range(3)}
    report = run(spec(paths, {"Thing": OBJ}), spec(copy.deepcopy(paths), {"Thing": smaller}))
    removed = [f for f in report.findings if f.rule == "response-required-property-removed"]
    assert len(removed) == 1
    assert set(removed[0].operations) == {"GET /t0", "GET /t1", "GET /t2"}


def test_property_rename_is_one_finding() -> None:
    old = {"type": "object", "properties": {"customer_id": {"type": "string", "format": "uuid"}}}
    new = {"type": "object", "properties": {"customerId": {"type": "string", "format": "uuid"}}}
    report = run(spec({"/t": {"post": op(old)}}), spec({"/t": {"post": op(new)}}))
    assert rules(report) == {"request-property-renamed"}
    (f,) = main(report)
    assert (f.before, f.after, f.level) == ("customer_id", "customerId", "error")


def test_operation_id_change_is_a_tool_rename() -> None:
    old = spec({"/t": {"post": op(OBJ)}})
    new = copy.deepcopy(old)
    new["paths"]["/t"]["post"]["operationId"] = "makeThing"
    report = run(old, new)
    assert [(f.rule, f.level, f.before, f.after) for f in main(report)] == [
        ("tool-renamed", "error", "createThing", "makeThing")]


def test_security_added_and_scope_added_are_errors() -> None:
    schemes = {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://x/token", "scopes": {"read": "", "write": ""}}}}}}
    base = spec({"/t": {"post": op()}}, components=schemes)
    secured = copy.deepcopy(base)
    secured["paths"]["/t"]["post"]["security"] = [{"oauth": ["read"]}]
    assert ("security-added", "error") in {(f.rule, f.level) for f in run(base, secured).findings}
    more = copy.deepcopy(secured)
    more["paths"]["/t"]["post"]["security"] = [{"oauth": ["read", "write"]}]
    found = [f for f in run(secured, more).findings if f.rule == "security-scope-added"]
    assert found and found[0].after == ["write"] and found[0].level == "error"
    assert "security-scope-removed" in rules(run(more, secured))


def test_error_code_enum_change_is_an_agent_warning() -> None:
    def error(codes: list[str]) -> dict[str, Any]:
        return {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string", "enum": codes}}}}}
    def with_error(codes: list[str]) -> dict[str, Any]:
        o = op()
        o["responses"]["422"] = {"description": "bad", "content": {"application/json": {"schema": error(codes)}}}
        return spec({"/t": {"post": o}})
    report = run(with_error(["invalid", "missing"]), with_error(["invalid", "conflict"]))
    got = {(f.rule, f.level) for f in report.findings}
    assert ("error-code-removed", "warning") in got and ("error-code-added", "warning") in got


def test_description_semantics_change_is_a_warning_with_before_after() -> None:
    def s(text: str) -> dict[str, Any]:
        return spec({"/t": {"post": op({"type": "object", "properties": {
            "amount": {"type": "integer", "description": text}}})}})
    report = run(s("Amount in cents."), s("Amount in dollars."))
    (f,) = report.findings
    assert f.rule == "request-description-semantics-changed" and f.level == "warning"
    assert (f.before, f.after) == ("Amount in cents.", "Amount in dollars.")
    reworded = run(s("Amount in cents."), s("The amount, in cents."))
    assert {f.level for f in reworded.findings} == {"info"}


def test_example_that_no_longer_validates() -> None:
    def s(schema: dict[str, Any]) -> dict[str, Any]:
        o = op(schema)
        o["requestBody"]["content"]["application/json"]["examples"] = {"basic": {"value": {"name": "a-long-name"}}}
        return spec({"/t": {"post": o}})
    report = run(s({"type": "object", "properties": {"name": {"type": "string"}}}),
                 s({"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}}))
    assert "example-no-longer-valid" in rules(report)


def test_removed_operation_and_deprecation_policy() -> None:
    two = spec({"/t": {"post": op(), "get": {"operationId": "getT", "responses": {"200": {"description": "ok"}}}}})
    one = spec({"/t": {"post": op()}})
    assert rules(run(two, one)) == {"operation-removed"}
    deprecated = copy.deepcopy(two)
    deprecated["paths"]["/t"]["get"]["deprecated"] = True
    assert rules(run(deprecated, one)) == {"operation-removed-deprecated"}
    deprecated["paths"]["/t"]["get"]["x-sunset"] = "9999-01-01"
    assert rules(run(deprecated, one)) == {"operation-removed-before-sunset"}


def test_new_required_parameter_and_parameter_rename() -> None:
    def s(params: list[dict[str, Any]]) -> dict[str, Any]:
        return spec({"/t": {"get": {"operationId": "getT", "parameters": params,
                                    "responses": {"200": {"description": "ok"}}}}})
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    report = run(s([]), s([dict(limit, required=True)]))
    assert [(f.rule, f.level) for f in main(report)] == [("new-required-parameter", "error")]
    renamed = run(s([limit]), s([dict(limit, name="page_size")]))
    assert rules(renamed) == {"parameter-renamed"}


def test_tool_size_change_is_reported() -> None:
    big = {"type": "object", "properties": {f"field_{i}": {"type": "string", "description": "x" * 40}
                                            for i in range(80)}}
    report = run(spec({"/t": {"post": op({"type": "object"})}}), spec({"/t": {"post": op(big)}}))
    sized = [f for f in report.findings if f.rule.startswith("tool-size")]
    assert sized and sized[0].after > sized[0].before


def test_wrapping_a_response_in_oneof_breaks() -> None:
    old = spec({"/t": {"post": op(response={"$ref": "#/components/schemas/A"})}}, {"A": OBJ, "B": {"type": "string"}})
    new = spec({"/t": {"post": op(response={"oneOf": [{"$ref": "#/components/schemas/A"},
                                                      {"$ref": "#/components/schemas/B"}]})}},
               {"A": OBJ, "B": {"type": "string"}})
    assert ("response-wrapped-in-one-of", "error") in {(f.rule, f.level) for f in run(old, new).findings}


def test_deprecation_days_policy_on_properties_and_parameters() -> None:
    from datetime import date

    from toolcheck.drift import DiffOptions

    def s(deprecated: bool) -> dict[str, Any]:
        prop: dict[str, Any] = {"type": "string"}
        param: dict[str, Any] = {"name": "q", "in": "query", "schema": {"type": "string"}}
        if deprecated:
            prop.update(deprecated=True, **{"x-sunset": "2026-01-10"})
            param["deprecated"] = True
        o = op({"type": "object", "properties": {"legacy": prop}})
        o["parameters"] = [param]
        return spec({"/t": {"post": o}})
    options = DiffOptions(deprecation_days=30, today=date(2026, 1, 1))
    report = diff(load_spec_dict(s(False)), load_spec_dict(s(True)), options)
    got = {f.rule for f in report.findings}
    assert {"request-property-sunset-date-too-small", "parameter-deprecated-sunset-missing"} <= got
    plain = {f.rule for f in run(s(False), s(True)).findings}
    assert plain == {"request-property-deprecated-with-sunset", "parameter-deprecated"}


def test_secret_defaults_are_never_printed() -> None:
    def s(value: str) -> dict[str, Any]:
        return spec({"/t": {"post": op({"type": "object", "properties": {
            "api_token": {"type": "string", "default": value}}})}})
    report = run(s("tok_live_old_1234567890"), s("tok_live_new_0987654321"))
    (f,) = report.findings
    text = f"{f.message} {f.before} {f.after}"
    assert "tok_live" not in text and "***" in text


def test_oneof_of_constants_is_compared_as_an_enum() -> None:
    def s(values: list[int]) -> dict[str, Any]:
        kinds = {"oneOf": [{"const": v, "title": f"KIND_{v}"} for v in values], "type": "integer"}
        return spec({"/t": {"post": op(kinds, kinds)}})
    report = run(s([1, 2]), s([1, 2, 6]))
    got = sorted((f.rule, f.level, f.after) for f in main(report))
    assert got == [("request-enum-value-added", "info", 6), ("response-enum-value-added", "warning", 6)]


def test_operation_moved_and_path_parameter_renamed() -> None:
    get: dict[str, Any] = {"operationId": "getItem", "parameters": [{"name": "id", "in": "path", "required": True,
                                                     "schema": {"type": "string"}}],
           "responses": {"200": {"description": "ok"}}}
    renamed_param = copy.deepcopy(get)
    renamed_param["parameters"][0]["name"] = "item_id"
    report = run(spec({"/items/{id}": {"get": get}}), spec({"/items/{item_id}": {"get": renamed_param}}))
    assert rules(report) == {"path-parameter-renamed"}
    moved = run(spec({"/items/{id}": {"get": get}}), spec({"/things/{id}": {"get": copy.deepcopy(get)}}))
    assert [(f.rule, f.level) for f in main(moved)] == [("operation-moved", "error")]


def test_several_parameter_renames_pair_by_name() -> None:
    def s(names: list[str]) -> dict[str, Any]:
        params = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in names]
        return spec({"/t": {"get": {"operationId": "getT", "parameters": params,
                                    "responses": {"200": {"description": "ok"}}}}})
    report = run(s(["userName", "orderDate"]), s(["user_name", "order_date"]))
    assert sorted((f.before, f.after) for f in main(report)) == [("orderDate", "order_date"), ("userName", "user_name")]


def test_component_that_becomes_a_oneof_of_itself_is_one_finding() -> None:
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    v2 = {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"}}}
    ref = {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
    ref_new = {"type": "array", "items": {"$ref": "#/components/schemas/ItemResponse"}}
    report = run(spec({"/t": {"get": {"operationId": "l", "responses": {"200": {"description": "ok", "content": {
                     "application/json": {"schema": ref}}}}}}}, {"Item": item}),
                 spec({"/t": {"get": {"operationId": "l", "responses": {"200": {"description": "ok", "content": {
                     "application/json": {"schema": ref_new}}}}}}},
                      {"Item": item, "ItemV2": v2, "ItemResponse": {"oneOf": [
                          {"$ref": "#/components/schemas/Item"}, {"$ref": "#/components/schemas/ItemV2"}]}}))
    assert [(f.rule, f.after) for f in main(report)] == [("response-wrapped-in-one-of", "ItemV2")]


def test_webhook_payload_is_compared_like_a_response() -> None:
    def s(payload: dict[str, Any]) -> dict[str, Any]:
        return spec({}, webhooks={"invoicePaid": {"post": {"operationId": "invoicePaid", "requestBody": {
            "content": {"application/json": {"schema": payload}}}, "responses": {"200": {"description": "ok"}}}}})
    old = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    new = {"type": "object", "properties": {"id": {"type": "string"}}}
    got = {(f.rule, f.level, f.operation) for f in run(s(old), s(new)).findings}
    assert ("response-property-became-optional", "error", "webhook POST invoicePaid") in got


def test_schema_level_example_that_no_longer_validates() -> None:
    def s(max_length: int) -> dict[str, Any]:
        body = {"type": "object", "example": {"name": "abcdef"},
                "properties": {"name": {"type": "string", "maxLength": max_length}}}
        return spec({"/t": {"post": op(body)}})
    found = [f for f in run(s(10), s(3)).findings if f.rule == "example-no-longer-valid"]
    assert len(found) == 1 and "schema" in found[0].path


def test_draft_operations_do_not_break_by_default() -> None:
    from toolcheck.drift import DiffOptions

    draft = {"operationId": "tryIt", "x-stability-level": "draft", "responses": {"200": {"description": "ok"}}}
    old = spec({"/t": {"post": op(), "get": draft}})
    new = spec({"/t": {"post": op()}})
    assert {f.level for f in run(old, new).findings} == {"info"}
    strict = diff(load_spec_dict(old), load_spec_dict(new), DiffOptions(include_unstable=True))
    assert "error" in {f.level for f in strict.findings}


def test_enum_value_respelled_is_one_rename() -> None:
    def s(values: list[str]) -> dict[str, Any]:
        status = {"type": "object", "properties": {"status": {"type": "string", "enum": values}}}
        return spec({"/t": {"post": op(status, status)}})
    got = sorted((f.rule, f.level, f.before, f.after) for f in main(run(s(["queued", "in_progress"]),
                                                                         s(["queued", "inProgress"]))))
    assert got == [("request-enum-value-renamed", "error", "in_progress", "inProgress"),
                   ("response-enum-value-renamed", "warning", "in_progress", "inProgress")]


def test_response_media_type_renamed() -> None:
    def s(media: str) -> dict[str, Any]:
        o = op(response=OBJ)
        o["responses"]["200"]["content"] = {media: {"schema": OBJ}}
        return spec({"/t": {"post": o}})
    assert rules(run(s("application/json"), s("application/*"))) == {"response-media-type-name-generalized"}
    assert rules(run(s("application/*"), s("application/json"))) == {"response-media-type-name-specialized"}
    assert rules(run(s("application/json"), s("application/vnd.api+json"))) == {"response-media-type-name-changed"}


def _props(props: dict[str, Any], *, response: bool = False) -> dict[str, Any]:
    body = {"type": "object", "properties": props}
    return spec({"/t": {"post": op(None, body) if response else op(body)}})


def test_untyped_removal_plus_unrelated_addition_is_not_a_rename() -> None:
    alone = run(_props({"alpha": {"description": "first"}}), _props({}))
    paired = run(_props({"alpha": {"description": "first"}}), _props({"alpha2": {"description": "other"}}))
    removal = {(f.rule, f.level) for f in main(alone)}
    assert removal == {("request-optional-property-removed", "warning")}
    assert removal <= {(f.rule, f.level) for f in main(paired)}  # its level does not depend on the addition
    assert "request-property-renamed" not in rules(paired)
    typed = run(_props({"alpha": {"type": "string", "maxLength": 5}}), _props({"alpha2": {"type": "string",
                                                                                         "maxLength": 5}}))
    assert rules(typed) == {"request-property-renamed"}  # a schema that says something still pairs


def test_untyped_nullable_becoming_typed_is_a_narrowing() -> None:
    old = {"a": {"nullable": True}}
    for new in ({"a": {"type": "string", "nullable": True}}, {"a": {"type": "string"}}):
        request = run(spec({"/t": {"post": op({"type": "object", "properties": old})}}, version="3.0.3"),
                      spec({"/t": {"post": op({"type": "object", "properties": new})}}, version="3.0.3"))
        assert {(f.rule, f.level) for f in main(request)} == {("request-type-specialized", "error")}
        response = run(spec({"/t": {"post": op(None, {"type": "object", "properties": old})}}, version="3.0.3"),
                       spec({"/t": {"post": op(None, {"type": "object", "properties": new})}}, version="3.0.3"))
        assert {(f.rule, f.level) for f in main(response)} == {("response-type-specialized", "info")}


def test_const_or_enum_without_type_keeps_the_type_of_its_values() -> None:
    for old, new in (({"type": "integer", "oneOf": []}, {"const": 1}),
                     ({"type": "string"}, {"enum": ["a", "b"]})):
        report = run(_props({"a": old}, response=True), _props({"a": new}, response=True))
        assert not any("generalized" in f.rule or "widened" in f.message for f in main(report)), main(report)
        assert {f.level for f in main(report)} == {"info"}  # a narrower response breaks nobody
    request = run(_props({"a": {"type": "number"}}), _props({"a": {"const": 1}}))
    assert {"request-type-specialized", "request-const-added"} <= rules(request, "error")


def test_a_pattern_change_with_a_witness_is_incompatible() -> None:
    def s(pattern: str, *, response: bool) -> dict[str, Any]:
        return _props({"code": {"type": "string", "pattern": pattern}}, response=response)
    disjoint = run(s("^[0-9]{4}$", response=True), s("^[a-z]{4}$", response=True))
    [f] = main(disjoint)
    assert (f.rule, f.level, f.oasdiff) == ("response-pattern-incompatible", "warning",
                                            ("response-property-pattern-changed",))
    assert "no value drawn from the new pattern matches the old one" in f.message
    wider = run(s("^[a-z]+$", response=True), s(".+", response=True))  # oasdiff's breaking-modify-pattern: INFO
    assert {(f.rule, f.level) for f in main(wider)} == {("response-pattern-changed", "info")}
    narrower = run(s("^[0-9a-z]{4}$", response=True), s("^[0-9]{4}$", response=True))
    assert {(f.rule, f.level) for f in main(narrower)} == {("response-pattern-changed", "info")}
    request = run(s("^[0-9]+$", response=False), s("^[a-z]+$", response=False))
    assert {(f.rule, f.level) for f in main(request)} == {("request-pattern-incompatible", "error")}
    assert "matched the old pattern, not the new one" in main(request)[0].message
    looser_request = run(s("^[0-9]+$", response=False), s("^[0-9a-z]+$", response=False))
    assert {(f.rule, f.level) for f in main(looser_request)} == {("request-pattern-changed", "warning")}
    # a pattern that could backtrack exponentially is never run: the plain rule, at its usual level
    hostile = run(s("^(a+)+$", response=True), s("^[0-9]{4}$", response=True))
    assert {(f.rule, f.level) for f in main(hostile)} == {("response-pattern-changed", "info")}


def test_only_agent_visible_descriptions_are_warnings() -> None:
    def s(text: str, *, response: bool) -> dict[str, Any]:
        return _props({"amount": {"type": "integer", "description": text}}, response=response)
    request = run(s("Amount in cents.", response=False), s("Amount in dollars.", response=False))
    assert {(f.rule, f.level) for f in main(request)} == {("request-description-semantics-changed", "warning")}
    response = run(s("Amount in cents.", response=True), s("Amount in dollars.", response=True))
    assert {(f.rule, f.level) for f in main(response)} == {("response-description-semantics-changed", "info")}
