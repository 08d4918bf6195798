"""Specs are read with YAML 1.2 booleans: ``Off``/``no``/``y`` stay strings (a real Bing spec's
``enum: [Off, Moderate, Strict]``), ``true``/``false`` are booleans, in specs and in the mock's
YAML request bodies alike."""

from __future__ import annotations

from pathlib import Path

from toolcheck.spec import load_spec

SPEC = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /images:
    get:
      parameters:
        - name: safeSearch
          in: query
          required: true
          schema: {type: string, enum: [Off, Moderate, Strict], example: off}
        - {name: ok, in: query, required: FALSE, schema: {type: boolean, default: True}}
      responses: {'200': {description: ok}}
"""


def test_yaml_11_booleans_are_strings_and_yaml_12_ones_booleans(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    spec = load_spec(str(path), use_cache=False)
    params = spec.document["paths"]["/images"]["get"]["parameters"]
    assert params[0]["schema"]["enum"] == ["Off", "Moderate", "Strict"]
    assert params[0]["schema"]["example"] == "off"
    assert params[0]["required"] is True
    assert params[1]["required"] is False
    assert params[1]["schema"]["default"] is True
