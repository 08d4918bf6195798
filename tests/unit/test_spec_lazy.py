"""A Spec builds its parts on first use; what it shows must not depend on that order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolcheck.spec import Spec, _cache, load_spec, load_spec_dict


def _loaded(spec: Spec) -> Any:
    """The document the spec's deferred parts hold, if they parsed it yet."""
    parts: Any = spec._deferred
    return parts.loaded_document


def _big_spec() -> dict[str, Any]:
    """Over the cache's size floor, with problems the builder finds (not the normaliser)."""
    paths: dict[str, Any] = {
        f"/items{i}/{{id}}": {
            "get": {
                "operationId": f"getItem{i}",
                "description": "x" * 1500,
                # {id} is not declared: a builder warning per operation.
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Item"}}}}},
            }
        }
        for i in range(100)
    }
    paths["/dup-a"] = {"get": {"operationId": "dup", "responses": {"200": {"description": "a"}}}}
    paths["/dup-b"] = {"post": {"operationId": "dup", "responses": {"201": {"description": "b"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "7"},
        "servers": [{"url": "https://api.example.test/v1"}],
        "paths": paths,
        "components": {
            "schemas": {"Item": {"type": "object", "required": ["id", "id"],
                                 "properties": {"id": {"type": "integer", "nullable": True}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _write(tmp_path: Path) -> str:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(_big_spec()))
    return str(path)


def _summary(spec: Any) -> tuple[Any, ...]:
    return (
        spec.title, spec.api_version, spec.servers, spec.version, spec.dialect,
        [(p.severity, p.pointer, p.code, p.message) for p in spec.problems],
        spec.operations, spec.webhooks, dict(spec.security_schemes), spec.document,
    )


def test_a_warm_load_reads_only_the_cache_header_until_the_document_is_needed(tmp_path: Path) -> None:
    path = _write(tmp_path)
    cold = load_spec(path)
    warm = load_spec(path)
    assert _loaded(warm) is None  # served from the cache, document not parsed yet
    assert warm.title == "Items" and warm.servers == ("https://api.example.test/v1",)
    op = warm.operation("getItem42")
    assert op.key == "GET /items42/{id}"
    assert _loaded(warm) is not None and warm._built is None  # one operation, not all
    assert _summary(warm) == _summary(cold)


def test_one_operation_looked_up_equals_the_one_built_with_all(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path), use_cache=False)
    alone = spec.operation("GET /items7/{id}")
    assert spec._built is None
    assert alone in spec.operations
    assert spec.operation("getItem7") == alone


def test_duplicate_operation_ids_are_renamed_the_same_way_before_and_after_a_full_build(tmp_path: Path) -> None:
    path = _write(tmp_path)
    for spec in (load_spec(path, use_cache=False), load_spec(path), load_spec(path)):
        early = spec.operation("dup_2")
        assert early.key == "POST /dup-b"
        assert [op.operation_id for op in spec.operations if op.path.startswith("/dup")] == ["dup", "dup_2"]
        assert spec.operation("dup_2") == early
        assert any(p.code == "duplicate-operation-id" for p in spec.problems)


def test_problems_keep_document_order_whatever_was_looked_up_first(tmp_path: Path) -> None:
    fresh = load_spec(_write(tmp_path), use_cache=False)
    looked_up = load_spec(_write(tmp_path), use_cache=False)
    for ref in ("getItem99", "getItem3", "POST /dup-b"):
        looked_up.operation(ref)
    assert [p.pointer for p in looked_up.problems] == [p.pointer for p in fresh.problems]
    undeclared = [p for p in fresh.problems if p.code == "undeclared-path-param"]
    assert len(undeclared) == 100


def test_a_damaged_cached_document_is_rebuilt_from_the_source(tmp_path: Path) -> None:
    path = _write(tmp_path)
    cold = load_spec(path)
    key = _cache.key(Path(path).read_bytes(), False, ())  # the root's bytes under the default rules
    [entry] = [p for p in _cache.cache_dir().glob(f"{key}-*.json")]
    data = entry.read_bytes()
    header_end = data.index(b"\n")
    entry.write_bytes(data[: header_end + 1] + b"{not json")
    warm = load_spec(path)
    assert _loaded(warm) is None
    assert _summary(warm) == _summary(cold)


def test_unknown_operation_names_close_matches_without_building_everything(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path))
    try:
        spec.operation("getItem1000")
    except KeyError as exc:
        assert "getItem100" in str(exc) or "getItem10" in str(exc)
    else:  # pragma: no cover - the lookup must fail
        raise AssertionError("an unknown operation was found")
    assert spec._built is None


def test_in_memory_specs_are_built_the_same_way() -> None:
    spec = load_spec_dict(_big_spec())
    assert spec.operation("dup_2").key == "POST /dup-b"
    assert len(spec.operations) == 102
    assert spec.document["components"]["schemas"]["Item"]["required"] == ["id"]


def test_a_cache_header_of_another_shape_is_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path)
    cold = load_spec(path)
    key = _cache.key(Path(path).read_bytes(), False, ())  # the root's bytes under the default rules
    [entry] = [p for p in _cache.cache_dir().glob(f"{key}-*.json")]
    data = entry.read_bytes()
    header_end = data.index(b"\n")
    entry.write_bytes(b'O{"problems": [], "files": ["x"], "stubs": "nope"}' + data[header_end:])
    again = load_spec(path)
    assert _summary(again) == _summary(cold)
