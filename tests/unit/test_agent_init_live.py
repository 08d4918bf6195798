"""`toolcheck init` scaffolds that also hold against a live API, not only the mock (issue 17)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from toolcheck.agent.init import scaffold
from toolcheck.spec import load_spec

SPEC = """
openapi: 3.0.3
info: {title: live, version: '1'}
paths:
  /tasks:
    post:
      operationId: create_task
      tags: [tasks]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema:
                type: object
                properties:
                  data:
                    type: object
                    required: [gid]
                    properties: {gid: {type: string}, name: {type: string}}
  /tasks/{task_gid}:
    parameters: [{name: task_gid, in: path, required: true, schema: {type: string}}]
    get:
      operationId: get_task
      tags: [tasks]
      responses: {'200': {description: ok}, '404': {description: missing}}
    delete:
      operationId: delete_task
      tags: [tasks]
      responses:
        '204': {description: deleted}
        '404': {description: no such task}
        '410': {description: the task's project was archived first}
  /files/{path}:
    parameters: [{name: path, in: path, required: true, schema: {type: string}}]
    get:
      operationId: get_file
      tags: [files]
      responses: {'200': {description: ok}, '404': {description: missing}}
    delete:
      operationId: delete_file
      tags: [files]
      responses: {'204': {description: deleted}}
    put:
      operationId: save_file
      tags: [files]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {content: {type: string}}}
      responses: {'200': {description: saved}, '201': {description: created}}
"""


def _docs(tmp_path: Path) -> dict[str, dict[str, Any]]:
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC)
    docs = scaffold(load_spec(str(path)), tmp_path / "out")
    return {name.split(".")[0]: yaml.safe_load(yaml.safe_dump(doc)) for name, doc in docs.items()}


def _steps(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in doc["steps"]}


def test_ids_are_chained_through_a_response_envelope(tmp_path: Path) -> None:
    steps = _steps(_docs(tmp_path)["tasks"])
    assert steps["create_task"]["outputs"] == {"task_gid": "$response.body#/data/gid"}
    assert steps["get_task"]["params"] == {"task_gid": "$steps.create_task.outputs.task_gid"}


def test_a_second_delete_expects_the_documented_404(tmp_path: Path) -> None:
    steps = _steps(_docs(tmp_path)["tasks"])
    again = steps["delete_task_rejects_bad_request"]
    assert again["description"] == "deleting it again: it is gone"
    assert again["expect"] == {"status": 404}


def test_a_put_that_creates_comes_first_and_its_names_are_reused(tmp_path: Path) -> None:
    doc = _docs(tmp_path)["files"]
    assert [s["id"] for s in doc["steps"]][:3] == ["save_file", "get_file", "delete_file"]
    names = {s["params"]["path"] for s in doc["steps"] if "params" in s}
    assert len(names) == 1  # one file: the one the PUT made


def _strict(tmp_path: Path) -> dict[str, dict[str, Any]]:
    from tests.integration.test_init_live_server import SPEC as STRICT

    path = tmp_path / "strict.yaml"
    path.write_text(STRICT)
    docs = scaffold(load_spec(str(path)), tmp_path / "out")
    return {name.split(".")[0]: yaml.safe_load(yaml.safe_dump(doc)) for name, doc in docs.items()}


def test_values_quoted_in_a_description_narrowed_by_the_same_name_elsewhere_on_the_path(tmp_path: Path) -> None:
    body = _steps(_strict(tmp_path)["files"])["save_file"]["body"]
    # 'json' is listed in the description, but GET on the same path takes only text|raw
    assert body["format"] == "text" and body["kind"] == "folder"


def test_described_values_need_a_list_of_quoted_words() -> None:
    from toolcheck.agent._init_values import described_values

    assert described_values("File format ('json', 'text', 'base64')") == ["json", "text", "base64"]
    assert described_values('one of ("a" or "b")') == ["a", "b"]
    assert described_values("the ('id') field") == []  # one word is no list
    assert described_values("(see 'a' and the 'b' field)") == []  # prose around the words
    assert described_values("(" + "'x', " * 10_000 + ")") == []  # bounded: too long a group is no list


def test_a_value_the_description_names_a_listing_for_is_read_from_that_listing(tmp_path: Path) -> None:
    steps = _strict(tmp_path)["jobs"]["steps"]
    lookup, create = steps[0], steps[1]
    assert lookup["operation"] == "list_engines" and lookup["outputs"] == {"engine": "$response.body#/default"}
    assert create["body"]["engine"] == f"$steps.{lookup['id']}.outputs.engine"


def test_made_up_ids_are_left_out_and_the_items_own_are_sent_back(tmp_path: Path) -> None:
    steps = _steps(_strict(tmp_path)["jobs"])
    assert "id" not in steps["create_job"]["body"]  # optional, server-assigned
    update = steps["update_job"]["body"]
    assert update["id"] == "$steps.create_job.outputs.id"
    assert update["runner"]["id"] == "$steps.create_job.outputs.runner_id"
    assert steps["create_job"]["outputs"]["runner_id"] == "$response.body#/runner/id"


def test_an_update_keeps_the_item_where_it_is_and_children_are_deleted_first(tmp_path: Path) -> None:
    steps = _steps(_strict(tmp_path)["files"])
    assert steps["rename_file"]["body"]["path"] == steps["rename_file"]["params"]["path"]
    order = list(steps)
    assert order.index("delete_version") < order.index("delete_file")


def test_the_operations_own_collection_is_no_listing_of_allowed_values(tmp_path: Path) -> None:
    spec = tmp_path / "own.yaml"
    spec.write_text("""
openapi: 3.0.3
info: {title: own, version: '1'}
paths:
  /widgets:
    get:
      operationId: list_widgets
      responses: {'200': {description: ok, content: {application/json: {schema: {type: object,
        properties: {default: {type: string}}}}}}}
    post:
      operationId: create_widget
      requestBody:
        content: {application/json: {schema: {type: object, properties: {
          label: {type: string, description: Widget name shown to users}}}}}
      responses: {'201': {description: created}}
""")
    docs = scaffold(load_spec(str(spec)), tmp_path / "out")
    steps = next(iter(docs.values()))["steps"]
    create = next(s for s in steps if s["operation"] == "create_widget")
    assert not str(create["body"]["label"]).startswith("$steps.")
    assert all(not s["id"].endswith("_lookup") for s in steps)


def test_a_listing_without_a_default_is_used_only_when_the_value_must_exist(tmp_path: Path) -> None:
    def create_body(description: str) -> Any:
        spec = tmp_path / "cards.yaml"
        spec.write_text(f"""
openapi: 3.0.3
info: {{title: cards, version: '1'}}
paths:
  /cardholders:
    get:
      operationId: list_cardholders
      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object,
        properties: {{data: {{type: array, items: {{type: object, properties: {{name: {{type: string}}}}}}}}}}}}}}}}}}}}
  /cards:
    post:
      operationId: create_card
      requestBody:
        content: {{application/json: {{schema: {{type: object, properties: {{
          name: {{type: string, description: "{description}"}}}}}}}}}}
      responses: {{'201': {{description: created}}}}
""")
        docs = scaffold(load_spec(str(spec)), tmp_path / "out")
        steps = [s for doc in docs.values() for s in doc["steps"]]
        return next(s for s in steps if s["operation"] == "create_card")["body"]["name"]

    assert not str(create_body("Cardholder name.")).startswith("$steps.")  # free text
    assert create_body("An existing cardholder name.") == "$steps.list_cardholders_lookup.outputs.name"
