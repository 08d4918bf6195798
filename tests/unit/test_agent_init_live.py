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
