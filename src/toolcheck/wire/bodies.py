"""Request bodies on the wire: one encoder per media type (JSON, form, multipart, XML, YAML, text).

Hand-written where the spec decides the bytes: the form and multipart rules of OpenAPI 3.1
§4.8.14–4.8.15 (``encoding`` maps: ``style``, ``explode``, ``contentType``) and the XML object
(§4.8.26) are not what a generic encoder does; JSON and YAML use their libraries.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from toolcheck.wire.params import deep_pairs, scalar


def is_json(media_type: str) -> bool:
    """``application/json``, ``*/*+json`` or ``text/json`` (parameters already stripped)."""
    return media_type == "application/json" or media_type.endswith("+json") or media_type == "text/json"


def is_yaml(media_type: str) -> bool:
    return media_type in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml") \
        or media_type.endswith("+yaml")


def base_type(media_type: str | None) -> str:
    """The media type without parameters, lower-case (``""`` for none)."""
    return (media_type or "").split(";", 1)[0].strip().lower()


def encode_body(value: Any, media_type: str | None, encoding: Any = None, *,
                xml_root: str | None = None) -> tuple[bytes, str]:
    """``(bytes, Content-Type)`` for a body ``value`` sent as ``media_type`` (JSON when unset).

    Bytes are sent as they are; a string under a non-JSON type is the document itself (XML,
    text, a YAML document); structured values follow the media type.
    """
    media = media_type or "application/json"
    base = base_type(media)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), media_type or "application/octet-stream"
    if is_json(base):
        return json_bytes(value), media
    if isinstance(value, str):
        return value.encode("utf-8"), media
    if base == "application/x-www-form-urlencoded" and isinstance(value, dict):
        return urlencode(form_pairs(value, encoding)).encode(), media
    if base.startswith("multipart/") and isinstance(value, dict):
        return multipart_body(value, encoding, base)
    if base.endswith(("/xml", "+xml")):
        return xml_document(value, xml_root), media
    if is_yaml(base):
        import yaml

        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).encode("utf-8"), media
    return json_bytes(value), media


def json_bytes(value: Any) -> bytes:
    """JSON text as UTF-8. The standard library, not orjson: integers past 64 bits are valid JSON
    (and a classic server bug to provoke); a lone surrogate is sent as its ``\\ud800`` escape."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def form_pairs(body: dict[str, Any], encoding: Any = None) -> list[tuple[str, str]]:
    """Form fields per OpenAPI defaults (style form, explode: lists repeat the key) or the
    media type's ``encoding`` (``deepObject``: ``key[prop]=v``). An object in ``form`` style is
    one field of JSON text (what the mock reads back; flattening its members into top-level
    fields would lose which object they belong to). Empty containers are left out (see
    :func:`unexpressible`)."""
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        rule = encoding.get(key) if isinstance(encoding, dict) else None
        style = rule.get("style", "form") if isinstance(rule, dict) else "form"
        explode = rule.get("explode", style == "form") if isinstance(rule, dict) else True
        if isinstance(value, list):
            if style == "deepObject":
                pairs.extend(deep_pairs(key, value))
            elif explode:
                pairs.extend((key, scalar(v)) for v in value)
            elif value:
                pairs.append((key, ",".join(scalar(v) for v in value)))
        elif isinstance(value, dict):
            if style == "deepObject":
                pairs.extend(deep_pairs(key, value))
            elif value:
                pairs.append((key, json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
        else:
            pairs.append((key, scalar(value)))
    return pairs


def unexpressible(body: Any, media_type: str | None, encoding: Any = None) -> list[str]:
    """Top-level fields of a form body whose value the wire format cannot carry.

    Decided per format: ``application/x-www-form-urlencoded`` cannot say "empty array" or
    "empty object" in any style (exploded and ``deepObject`` styles send no pair at all, so the
    field reads as absent; the non-exploded ``key=`` reads as ``[""]`` or ``""`` in common
    servers). ``multipart/form-data`` sends containers as ``application/json`` parts, so ``[]``
    and ``{}`` are expressible, unless the field's ``encoding`` asks for a non-JSON
    ``contentType`` (one part per item: an empty array is no part at all).
    """
    if not isinstance(body, dict) or not media_type:
        return []
    base = base_type(media_type)
    out: list[str] = []
    for key, value in body.items():
        if not isinstance(value, (list, dict)) or value:
            continue
        if base == "application/x-www-form-urlencoded":
            out.append(key)
        elif base.startswith("multipart/") and isinstance(value, list):
            rule = encoding.get(key) if isinstance(encoding, dict) else None
            kind = rule.get("contentType") if isinstance(rule, dict) else None
            if isinstance(kind, str) and "json" not in kind.lower() and "*" not in kind:
                out.append(key)
    return out


def multipart_fields(body: dict[str, Any], encoding: Any = None) -> list[tuple[str, str | None, str]]:
    """``(name, part content type, text)`` for each field of a multipart body.

    OpenAPI 3 multipart defaults (3.1 §4.8.14.4, §4.8.15): a primitive, or an array of primitives,
    is ``text/plain`` (an array as one part per item, as RFC 7578 §4.3 repeats a name); an object
    or an array holding containers is one ``application/json`` part; the property's ``encoding``
    may give another ``contentType``. An empty array is one JSON part (``[]``): no parts at all
    would read as absent."""
    out: list[tuple[str, str | None, str]] = []
    for key, value in body.items():
        rule = encoding.get(key) if isinstance(encoding, dict) else None
        declared = rule.get("contentType") if isinstance(rule, dict) and isinstance(rule.get("contentType"), str) else None
        if isinstance(value, (dict, list)):
            structured = isinstance(value, dict) or not value or any(isinstance(v, (dict, list)) for v in value)
            kind = (declared or ("application/json" if structured else "text/plain")).split(",", 1)[0].strip()
            if "json" in kind.lower() or "*" in kind or isinstance(value, dict):
                out.append((key, kind if "*" not in kind else "application/json",
                            json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
            else:
                out.extend((key, None, scalar(v)) for v in value)
        else:
            out.append((key, None, scalar(value)))
    return out


def multipart_body(body: dict[str, Any], encoding: Any, media_type: str) -> tuple[bytes, str]:
    """A multipart body of :func:`multipart_fields` and its Content-Type (with a boundary that
    occurs in no part, RFC 2046 §5.1.1)."""
    fields = multipart_fields(body, encoding)
    boundary, n = "toolcheckboundary", 0
    while any(boundary in f"{name}{kind}{text}" for name, kind, text in fields):
        n += 1
        boundary = f"toolcheckboundary{n}x"
    parts = []
    for name, content_type, text in fields:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")
        head = f'Content-Disposition: form-data; name="{quoted}"'
        if content_type:
            head += f"\r\nContent-Type: {content_type}"
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{text}\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode("utf-8"), f"{media_type}; boundary={boundary}"


def _xml_name(tag: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in tag) or "item"
    return "_" + safe if safe[0].isdigit() or safe[0] in "-." else safe


def _xml(tag: str, value: Any) -> str:
    from xml.sax.saxutils import escape

    name = _xml_name(tag)
    if isinstance(value, list):  # unwrapped arrays repeat the property's element (OpenAPI XML object)
        return "".join(_xml(tag, v) for v in value)
    if isinstance(value, dict):
        inner = "".join(_xml(str(k), v) for k, v in value.items())
    elif value is None:
        return f"<{name}/>"
    else:
        inner = escape(scalar(value))
    return f"<{name}>{inner}</{name}>"


def xml_document(body: Any, root: str | None = None) -> bytes:
    """``body`` as an XML document: ``root`` (the schema's ``xml.name``), else the single
    top-level property of an object (AWS: ``{"CORSConfiguration": {...}}``), else ``root``."""
    if root is None and isinstance(body, dict) and len(body) == 1 and isinstance(next(iter(body.values())), dict):
        [(root, body)] = body.items()
    return ('<?xml version="1.0" encoding="UTF-8"?>' + _xml(root or "root", body)).encode("utf-8")
