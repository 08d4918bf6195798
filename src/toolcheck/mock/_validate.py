"""Validate an incoming request's body and content type against its operation.

Split from the responder so the rules read in one place: a missing required body is a 400,
an undocumented content type a 415, JSON that does not parse a 400 (same error shape), a body
that parses but breaks the schema a 422 when the operation documents 422, else a 400.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import is_json, match_media, media_type_of
from toolcheck.generate._flatten import flat_types, flatten
from toolcheck.mock._params import Issue, request_errors
from toolcheck.wire.read import read_form, read_multipart, shape

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec


def check_body(spec: Spec, op: Operation, content_type: str | None, body: bytes) -> tuple[int, list[Issue], Any]:
    """``(status, issues, decoded body)``: status is 0 when the body is acceptable."""
    rb = op.request_body
    if rb is None or not rb.content:
        return 0, [], ABSENT
    # An empty urlencoded body, where a form is documented, is a form of zero pairs (WHATWG URL
    # §5.1), validated as `{}`; any other empty body is no body.
    form = "application/x-www-form-urlencoded"
    if not body and (media_type_of(content_type) != form or match_media(rb.content, form) is None):
        if rb.required:
            return 400, [Issue("/body", "a request body is required", "body")], ABSENT
        return 0, [], ABSENT
    media_type = media_type_of(content_type)
    if not media_type:  # no Content-Type: read it as the first documented type (curl -d habits)
        media_type = media_type_of(next(iter(rb.content)))
    media = match_media(rb.content, media_type)
    if media is None:
        accepted = ", ".join(rb.content)
        given = media_type or "(no Content-Type)"
        return 415, [Issue("/headers/content-type", f"content type {given!r} is not accepted (accepted: {accepted})",
                           "content_type")], ABSENT
    if is_json(media_type):
        try:
            decoded = load_json(body)
        except ValueError as exc:
            return 400, [Issue("/body", f"the body is not valid JSON: {exc}", "json")], ABSENT
    elif media_type == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, [Issue("/body", "the form body is not UTF-8", "body")], ABSENT
        decoded = read_form(spec, media.schema, text, media.encoding)
        empty = _empty_form_fields(spec, media.schema, text)
        if empty:
            return 400, [Issue(f"/body/{name}", f"form field {name!r} is empty (allowEmptyValue is not set)", "body")
                         for name in empty], ABSENT
    elif media_type == "multipart/form-data":
        parts = read_multipart(content_type or "", body)
        if parts is None:
            return 400, [Issue("/body", "the multipart body cannot be read (boundary missing or malformed)", "body")], ABSENT
        decoded = shape(spec, media.schema, parts)
    elif media_type.endswith(("/xml", "+xml")):
        try:
            tag, tree = load_xml(body)
            inner = _rooted(spec, media.schema, tag)
            decoded = shape(spec, inner, _unxml(spec, inner, tree, 0))
            if inner is not media.schema:
                decoded = {tag: decoded}
        except ValueError as exc:
            return 400, [Issue("/body", f"the body is not well-formed XML: {exc}", "json")], ABSENT
    elif _is_yaml(media_type):
        try:
            decoded = load_yaml(body)
        except ValueError as exc:
            return 400, [Issue("/body", f"the body is not valid YAML: {exc}", "json")], ABSENT
    else:
        return 0, [], body  # binary, text: accepted as sent
    if media.schema is None:
        return 0, [], decoded
    issues = [Issue("/body" + pointer, message, "body")
              for pointer, message in request_errors(spec, media.schema, decoded, limit=50, skip_read_only=True)]
    if issues:
        status = 422 if op.response_for(422) is not None and "422" in op.responses else 400
        return status, issues, decoded
    return 0, [], decoded


_LONG_NUMBER = re.compile(rb"\d{19}")


def _is_yaml(media_type: str) -> bool:
    """``application/yaml`` (RFC 9512), its ``+yaml`` suffix (``application/apply-patch+yaml``) and
    the older ``application/x-yaml``/``text/yaml``."""
    return media_type.endswith(("/yaml", "+yaml", "/x-yaml"))


def load_yaml(body: bytes) -> Any:
    """A YAML request body as data. Anchors and aliases are refused (a request has no use for
    them and they are how a few bytes expand into gigabytes); dates stay strings, as JSON
    Schema's ``format: date`` expects. Raises ValueError."""
    import yaml

    from toolcheck.spec._parse import _SpecLoader

    try:
        text = body.decode("utf-8")
        for event in yaml.parse(text, Loader=_SpecLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ValueError("YAML anchors and aliases are not accepted in a request body")
        return yaml.load(text, Loader=_SpecLoader)  # noqa: S506 - a safe loader (CSafeLoader subclass)
    except UnicodeDecodeError as exc:
        raise ValueError("it is not UTF-8") from exc
    except yaml.YAMLError as exc:
        raise ValueError(str(exc).replace("\n", " ")[:300]) from exc
    except RecursionError as exc:
        raise ValueError("it is nested too deeply") from exc


def load_xml(body: bytes) -> tuple[str, Any]:
    """An XML request body as ``(root tag, tree)``: an element with children is a dict (repeated names: a
    list, attributes as members), a leaf its text. DTDs are refused: entity expansion is how a
    few bytes become gigabytes, and a request body has no use for one. Raises ValueError."""
    import xml.etree.ElementTree as ElementTree

    head = body[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
        raise ValueError("a DTD (<!DOCTYPE or <!ENTITY) is not accepted in a request body")
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, RecursionError) as exc:
        raise ValueError(str(exc)[:200]) from exc
    return _local(root.tag), _element(root, 0)


def _rooted(spec: Spec, schema: Any, tag: str) -> Any:
    """The schema of the root element's content: the property named like the root element when
    the body schema wraps it (AWS: ``{MetricsConfiguration: {...}}`` sent as
    ``<MetricsConfiguration>...``), else the body schema itself."""
    flat = flatten(spec, schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    if isinstance(props, dict) and len(props) == 1 and tag in props:
        return props[tag]
    return schema


def _element(element: Any, depth: int) -> Any:
    if depth > 64:
        raise ValueError("the XML is nested too deeply")
    children = list(element)
    if not children and not element.attrib:
        return (element.text or "").strip()
    out: dict[str, Any] = {_local(k): v for k, v in element.attrib.items()}
    for child in children:
        name, value = _local(child.tag), _element(child, depth + 1)
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]  # `{namespace}name`, `prefix:name` -> `name`


def _unxml(spec: Spec, schema: Any, node: Any, depth: int) -> Any:
    """The XML tree read with the schema's ``xml`` hints (OpenAPI 3.1 §4.8.26): element names
    mapped back to property names, wrapped arrays (``<tags><tag>..</tag></tags>``) unwrapped,
    and a lone element where an array is expected read as a one-item list."""
    flat = flatten(spec, schema)
    if depth > 32 or not isinstance(flat, dict):
        return node
    kinds = flat_types(flat)
    if "array" in kinds and "object" not in kinds:
        items = flat.get("items", {})
        hint = flat.get("xml")
        wrapped = isinstance(hint, dict) and hint.get("wrapped") is True
        if wrapped and isinstance(node, dict) and len(node) == 1:  # `<tags><tag>..</tag></tags>`
            node = next(iter(node.values()))
        listed = node if isinstance(node, list) else [] if node == "" else [node]
        return [_unxml(spec, items, v, depth + 1) for v in listed]
    if node == "" and "object" in kinds and "string" not in kinds:
        return {}  # `<pet/>`: an element with nothing in it
    if isinstance(node, dict):
        raw_props = flat.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        names: dict[str, str] = {}
        for prop, sub in props.items():
            sub_flat = flatten(spec, sub)
            hint = sub_flat.get("xml") if isinstance(sub_flat, dict) else None
            if isinstance(hint, dict) and isinstance(hint.get("name"), str):
                wrapped = hint.get("wrapped") or "array" not in flat_types(sub_flat)
                if wrapped:
                    names[hint["name"]] = prop
            elif isinstance(sub_flat, dict) and "array" in flat_types(sub_flat):
                items = flatten(spec, sub_flat.get("items", {}))
                item_hint = items.get("xml") if isinstance(items, dict) else None
                if isinstance(item_hint, dict) and isinstance(item_hint.get("name"), str) and not sub_flat.get(
                        "xml", {}).get("wrapped"):
                    names[item_hint["name"]] = prop  # unwrapped arrays repeat the item's element name
        out: dict[str, Any] = {}
        for key, value in node.items():
            target = names[key] if key in names else str(key)
            out[target] = _unxml(spec, props.get(target, {}), value, depth + 1)
        return out
    return node


def _empty_form_fields(spec: Spec, schema: Any, text: str) -> list[str]:
    """Fields sent empty (``name=``) that a Swagger 2.0 formData parameter does not allow empty."""
    resolved = spec.deref(schema) if isinstance(schema, dict) else None
    if not isinstance(resolved, dict) or not resolved.get("x-formData") or "=" not in text:
        return []
    raw_props = resolved.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=5000)
    except ValueError:
        return []
    out: list[str] = []
    for key, value in pairs:
        prop = spec.deref(props.get(key)) if key in props else None
        if value == "" and isinstance(prop, dict) and not prop.get("x-allowEmptyValue") and key not in out:
            out.append(key)
    return out


def load_json(body: bytes) -> Any:
    """JSON as sent. orjson reads integers beyond 64 bits as floats, so -9223372036854775809
    would pass ``minimum: -9223372036854775808`` (found by ``fuzz --mock`` on OpenAI's ``seed``):
    bodies with such long digit runs are read by the stdlib, which keeps integers exact."""
    if _LONG_NUMBER.search(body) is None:
        return orjson.loads(body)
    import json

    return json.loads(body, parse_constant=_not_json)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 §6)")
