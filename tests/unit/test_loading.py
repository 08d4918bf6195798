"""Spec loading on small inline documents: dialects, refs, YAML traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolcheck.errors import SpecLoadError
from toolcheck.spec import load_spec, load_spec_dict


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


MINIMAL_30 = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [name, name]
      properties:
        name: {type: string, nullable: true}
        born: {type: string, example: 2019-10-15}
        age: {type: integer, minimum: 0, exclusiveMinimum: true}
        parent: {$ref: '#/components/schemas/Pet'}
"""


def test_openapi_30_is_normalised_to_2020_12(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "a.yaml", MINIMAL_30))
    op = spec.operation("getPet")
    assert op.method == "get" and op.path == "/pets/{id}"
    # unquoted 200: key stays the string "200"
    assert list(op.responses) == ["200"]
    pet = spec.schemas["Pet"]
    assert pet["properties"]["name"]["type"] == ["string", "null"]
    assert pet["properties"]["age"]["exclusiveMinimum"] == 0 and "minimum" not in pet["properties"]["age"]
    # dates stay strings as written
    assert pet["properties"]["born"]["example"] == "2019-10-15"
    assert pet["required"] == ["name"]
    assert any(p.code == "duplicate-required" for p in spec.problems)


def test_cyclic_schema_validates_without_recursion(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "a.yaml", MINIMAL_30))
    schema = spec.operation("getPet").responses["200"].content["application/json"].schema
    validator = spec.validator(schema)
    assert validator.is_valid({"name": None, "parent": {"name": "x", "parent": {"name": "y"}}})
    assert not validator.is_valid({"name": 3})


def test_swagger_2_body_and_form_parameters_become_request_bodies() -> None:
    spec = load_spec_dict({
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "host": "api.example.com",
        "basePath": "/v1",
        "consumes": ["application/json"],
        "paths": {
            "/pets": {
                "post": {
                    "operationId": "addPet",
                    "parameters": [{"in": "body", "name": "body", "required": True, "schema": {"$ref": "#/definitions/Pet"}}],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
                },
            },
            "/upload": {
                "post": {
                    "consumes": ["multipart/form-data"],
                    "parameters": [
                        {"in": "formData", "name": "file", "type": "file", "required": True},
                        {"in": "query", "name": "tags", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                    ],
                    "responses": {"201": {"description": "created"}},
                },
            },
        },
        "definitions": {"Pet": {"type": "object", "x-nullable": True, "properties": {"id": {"type": "integer"}}}},
        "securityDefinitions": {"basic": {"type": "basic"}},
    })
    assert spec.dialect == "2.0"
    assert spec.servers == ("https://api.example.com/v1",)
    add = spec.operation("addPet")
    assert add.request_body is not None and add.request_body.required
    assert add.request_body.content["application/json"].schema == {"$ref": "#/components/schemas/Pet"}
    assert spec.schemas["Pet"]["type"] == ["object", "null"]
    upload = spec.operation("POST /upload")
    assert upload.operation_id == "post_upload" and not upload.explicit_id
    assert upload.request_body is not None
    form = upload.request_body.content["multipart/form-data"].schema
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    tags = upload.parameter("tags")
    assert tags is not None and tags.style == "form" and tags.explode is True
    assert spec.security_schemes["basic"].type == "http" and spec.security_schemes["basic"].scheme == "basic"


def test_multi_file_refs_are_bundled_once(tmp_path: Path) -> None:
    write(tmp_path, "models/pet.yaml", "type: object\nproperties:\n  owner: {$ref: 'owner.yaml'}\n")
    write(tmp_path, "models/owner.yaml", "type: object\nproperties:\n  pets: {type: array, items: {$ref: 'pet.yaml'}}\n")
    root = write(tmp_path, "openapi.yaml", """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: 'models/pet.yaml'}}}
""")
    spec = load_spec(str(tmp_path))  # a directory holding openapi.yaml
    assert spec.source.endswith("openapi.yaml")
    schema = spec.operations[0].responses["200"].content["application/json"].schema
    assert schema["$ref"].startswith("#/components/x-toolcheck-external/")
    pet = spec.resolve(schema["$ref"])
    owner = spec.resolve(pet["properties"]["owner"]["$ref"])
    assert spec.resolve(owner["properties"]["pets"]["items"]["$ref"]) is pet  # the cycle closes on one object
    assert spec.validator(schema).is_valid({"owner": {"pets": [{"owner": {}}]}})
    assert len(spec.files) == 3
    assert root in [str(Path(f).resolve()) for f in spec.files] or spec.files[0].endswith("openapi.yaml")


def test_dangling_ref_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "a.yaml", """
openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}
  /b:
    get:
      parameters: [{$ref: 'nowhere.yaml#/p'}]
      responses: {'200': {description: ok}}
"""))
    assert len(spec.operations) == 2
    dangling = [p for p in spec.problems if p.code == "dangling-ref"]
    assert len(dangling) == 2 and all(p.severity == "error" for p in dangling)
    assert any(":10" in p.location for p in dangling), [p.location for p in dangling]
    schema = spec.operations[0].responses["200"].content["application/json"].schema
    assert spec.validator(schema).is_valid({"anything": 1})


def test_ref_keys_inside_example_data_are_left_alone() -> None:
    spec = load_spec_dict({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object"},
            "example": {"members": [{"$ref": "https://api.example.com/u/1"}]},
            "examples": {"one": {"value": {"$ref": "#/nowhere"}}},
        }}}}}}},
    })
    assert not spec.problems
    media = spec.operations[0].responses["200"].content["application/json"]
    assert media.examples["one"] == {"$ref": "#/nowhere"}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("openapi: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "list, not an object"),
        ("{\"openapi\": \"4.0.0\", \"info\": {}}", "unsupported OpenAPI version"),
        ("title: no version key\n", "no `openapi` or `swagger`"),
        ("swagger: '1.2'\n", "unsupported Swagger version"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(SpecLoadError) as info:
        load_spec(write(tmp_path, "bad.yaml", text))
    assert fragment in str(info.value)
    assert "bad.yaml" in str(info.value)


def test_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.insert(0, "openapi: 3.0.0")
    with pytest.raises(SpecLoadError, match="alias"):
        load_spec(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


def test_binary_and_oversized_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(SpecLoadError, match="binary"):
        load_spec(str(binary))
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(65 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(SpecLoadError, match="over the 64 MiB limit"):
        load_spec(str(big))


def test_yaml_traps_bare_equals_and_invalid_escape(tmp_path: Path) -> None:
    text = (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "x-default: =\n"
        'x-pattern: "^\\d+$"\n'
    )
    spec = load_spec(write(tmp_path, "traps.yaml", text))
    assert spec.document["x-default"] == "="
    assert spec.document["x-pattern"] == "^\\d+$"
    assert any(p.code == "repaired-text" for p in spec.problems)


def test_json_error_points_at_line(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as info:
        load_spec(write(tmp_path, "bad.json", '{\n  "openapi": "3.0.0",\n  "info": {,}\n}'))
    assert "bad.json:3" in str(info.value)


def test_cache_returns_the_same_model(tmp_path: Path) -> None:
    payload = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
        f"/p{i}": {"get": {"responses": {"200": {"description": "x" * 2000}}}} for i in range(100)
    }}
    path = write(tmp_path, "big.json", json.dumps(payload))
    first = load_spec(path)
    second = load_spec(path)
    assert first.document == second.document
    assert first.operations == second.operations



def test_control_characters_are_repaired_with_a_warning(tmp_path: Path) -> None:
    text = "openapi: 3.0.0\ninfo: {title: \"bad\x07title\", version: '1'}\npaths: {}\n"
    spec = load_spec(write(tmp_path, "ctl.yaml", text))
    assert spec.title == "badtitle"
    assert any(p.code == "repaired-text" and "control" in p.message for p in spec.problems)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    text = "openapi: 3.0.0\ninfo: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(SpecLoadError) as info:
        load_spec(write(tmp_path, "tag.yaml", text))
    assert "tag.yaml:2" in str(info.value)


def test_external_url_ref_needs_network_permission(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "url.yaml", """
openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: 'https://schemas.example.invalid/pet.json'}}}
"""))
    problems = [p for p in spec.problems if p.code == "dangling-ref"]
    assert problems and "https://schemas.example.invalid/pet.json" in problems[0].message


def test_a_dangling_ref_in_extension_data_is_a_warning_but_under_an_x_named_header_an_error() -> None:
    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {
            "x-codegen": {"model": {"$ref": "#/components/schemas/Gone"}},
            "responses": {"200": {"description": "ok", "headers": {
                "x-request-id": {"$ref": "#/components/headers/Missing"},
            }}},
        }}},
    })
    severities = {p.pointer: p.severity for p in spec.problems if p.code == "dangling-ref"}
    assert severities == {
        "/paths/~1a/get/x-codegen/model": "warning",
        "/paths/~1a/get/responses/200/headers/x-request-id": "error",
    }
