"""OpenAPI's discriminator picks the oneOf/anyOf branch, in jsonschema and in the compiled check."""

from __future__ import annotations

from typing import Any

import pytest

from toolcheck.checks._fastcheck import fast_check
from toolcheck.spec import load_spec_dict
from toolcheck.spec.jsonschema import schema_errors


def _spec(keyword: str = "oneOf", mapping: dict[str, str] | None = None) -> Any:
    pet: dict[str, Any] = {
        keyword: [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "petType", **({"mapping": mapping} if mapping else {})},
    }
    # Cat and Dog overlap: {"petType": ..., "name": ...} is valid under both.
    animal = {"type": "object", "required": ["petType", "name"],
              "properties": {"petType": {"type": "string"}, "name": {"type": "string"}}}
    return load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "pets", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Pet": pet,
            "Cat": {"allOf": [animal, {"properties": {"lives": {"type": "integer", "maximum": 9}}}]},
            "Dog": {"allOf": [animal, {"properties": {"barks": {"type": "boolean"}}}]},
        }},
    })


def _verdicts(spec: Any, instance: Any) -> tuple[bool, bool]:
    schema = spec.schemas["Pet"]
    check = fast_check(spec, schema)
    assert check is not None
    return not schema_errors(spec, schema, instance), check(instance)


@pytest.mark.parametrize(("mapping", "tag"), [(None, "Cat"), ({"cat": "Cat", "dog": "#/components/schemas/Dog"}, "cat")])
def test_the_named_branch_alone_decides(mapping: dict[str, str] | None, tag: str) -> None:
    spec = _spec(mapping=mapping)
    assert _verdicts(spec, {"petType": tag, "name": "Tom"}) == (True, True)  # plain oneOf: valid under both
    assert _verdicts(spec, {"petType": tag, "name": "Tom", "lives": 12}) == (False, False)  # Cat's own rule
    assert _verdicts(spec, {"petType": tag, "name": "Tom", "barks": "yes"}) == (True, True)  # Dog's rule is not asked
    errors = schema_errors(spec, spec.schemas["Pet"], {"petType": tag, "name": "Tom", "lives": 12})
    assert any("9" in message for _pointer, message in errors), errors


def test_a_payload_naming_no_known_branch_gets_plain_json_schema() -> None:
    spec = _spec()
    assert _verdicts(spec, {"petType": "Bird", "name": "Tweety"}) == (False, False)  # valid under each: oneOf fails
    assert _verdicts(spec, {"name": "Tom", "petType": 3}) == (False, False)
    assert _verdicts(spec, "not an object") == (False, False)


def test_anyof_with_a_discriminator_checks_only_the_named_branch() -> None:
    spec = _spec("anyOf")
    assert _verdicts(spec, {"petType": "Dog", "name": "Rex", "lives": 12}) == (True, True)
    assert _verdicts(spec, {"petType": "Cat", "name": "Tom", "lives": 12}) == (False, False)


def test_mapping_references_to_other_files_follow_their_branches_into_the_bundle(tmp_path: Any) -> None:
    from toolcheck.spec import load_spec

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "pets.yaml").write_text(
        "Cat: {type: object, required: [petType, name], properties: {petType: {type: string}, name: {type: string},"
        " lives: {type: integer, maximum: 9}}}\n"
        "Dog: {type: object, required: [petType, name], properties: {petType: {type: string}, name: {type: string}}}\n")
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: pets, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n"
        "      oneOf: [{$ref: 'models/pets.yaml#/Cat'}, {$ref: 'models/pets.yaml#/Dog'}]\n"
        "      discriminator:\n        propertyName: petType\n"
        "        mapping: {cat: 'models/pets.yaml#/Cat', dog: 'models/pets.yaml#/Dog'}\n")
    spec = load_spec(str(tmp_path / "openapi.yaml"), use_cache=False)
    pet = spec.schemas["Pet"]
    assert all(ref.startswith("#/components/x-toolcheck-external/") for ref in pet["discriminator"]["mapping"].values())
    assert _verdicts(spec, {"petType": "cat", "name": "Tom"}) == (True, True)
    assert _verdicts(spec, {"petType": "cat", "name": "Tom", "lives": 12}) == (False, False)


def test_branches_that_inherit_a_discriminator_through_allof_are_picked_by_it() -> None:
    # OpenAPI's own example: Pet declares the discriminator, Cat and Dog are allOf [Pet, ...].
    pet = {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}},
           "discriminator": {"propertyName": "petType"}}
    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "pets", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Pet": pet,
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"},
                              {"properties": {"lives": {"type": "integer", "maximum": 9}}}]},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"bark": {"type": "boolean"}}}]},
            "AnyPet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
        }},
    })
    schema = spec.schemas["AnyPet"]
    assert schema["discriminator"] == {"propertyName": "petType"}
    for instance, valid in (({"petType": "Cat"}, True), ({"petType": "Cat", "lives": 12}, False),
                            ({"petType": "Dog", "lives": 12}, True)):
        check = fast_check(spec, schema)
        assert check is not None
        assert (not schema_errors(spec, schema, instance), check(instance)) == (valid, valid), instance
