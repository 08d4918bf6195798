"""Spec loading: the only place that reads API descriptions.

    source ─► read (file/dir/stdin/git/url) ─► parse (safe JSON/YAML) ─► bundle other files
      ─► 2.0 → 3.0 shape ─► schemas → JSON Schema 2020-12 ─► build Operations ─► Spec

Use :func:`load_spec`; it raises :class:`~toolcheck.errors.SpecLoadError` only when nothing
usable can be loaded. Anything wrong but survivable becomes a :class:`Problem` on the Spec.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Any

from toolcheck._startup import gc_paused
from toolcheck.errors import SpecLoadError
from toolcheck.spec import _cache
from toolcheck.spec._build import OpStub
from toolcheck.spec._confine import Reader
from toolcheck.spec._deferred import Parts
from toolcheck.spec._locate import Locator
from toolcheck.spec._normalise import Normaliser
from toolcheck.spec._parse import Duplicate
from toolcheck.spec._pointer import RefResolver, escape
from toolcheck.spec._refs import DATA_KEYS, bundle, has_external_refs
from toolcheck.spec._sources import Location, locate
from toolcheck.spec.model import Spec

__all__ = ["SUPPORTED", "load_spec", "load_spec_dict"]

SUPPORTED = ("2.0", "3.0", "3.1", "3.2")


def load_spec(
    source: str, *, allow_network: bool = False, use_cache: bool | None = None, ref_roots: Sequence[str] = (),
) -> Spec:
    """Load, bundle, normalise and index an API description.

    Args:
        source: a file, a directory holding a root file, ``-`` for stdin, ``git:REV:path``,
            or an http(s) URL (only with ``allow_network``).
        allow_network: fetch URLs, for the root or for external ``$ref``s.
        use_cache: reuse the normalised document of an unchanged spec (keyed by a content
            hash); default on unless ``TOOLCHECK_NO_CACHE`` is set.
        ref_roots: more folders whose files ``$ref``s may read, beside the root spec's folder
            and the git work tree holding it (see ``docs/security.md``).

    Raises:
        SpecLoadError: the spec cannot be read or is not an OpenAPI/Swagger document.
    """
    with gc_paused():
        return _load_spec(source, allow_network, use_cache, tuple(ref_roots))


def _reader(location: Location, allow_network: bool, ref_roots: tuple[str, ...]) -> Reader:
    return Reader(location, allow_network=allow_network, ref_roots=ref_roots)


def _load_spec(source: str, allow_network: bool, use_cache: bool | None, ref_roots: tuple[str, ...]) -> Spec:
    location = locate(source)
    reader = _reader(location, allow_network, ref_roots)
    raw = reader.read_root()
    if use_cache is None:
        use_cache = not os.environ.get("TOOLCHECK_NO_CACHE")
    cacheable = use_cache and location.kind != "url"
    digest = hashlib.sha256(raw).hexdigest()
    cache_key = _cache.key(raw, allow_network, ref_roots) if cacheable else ""
    if cacheable:
        cached = _cache.get(cache_key, location, reader.roots)
        if cached is not None:
            try:
                return _from_cache(cached, raw, location, allow_network, ref_roots, digest)
            except (KeyError, TypeError, ValueError):
                pass  # an entry of another shape (tampered with): load from the source
    document, problems, files, origins, version, dialect, refs, followed = _normalised(raw, reader)
    file_names = [f.display for f in files]
    parts = Parts(document, None, dialect, problems, Locator(location, raw, dialect, origins), location.display, refs=refs)
    meta = _meta(document)
    if cacheable:
        _cache.put(cache_key, location, {
            "problems": problems, "files": [[f.kind, f.ref, f.rev] for f in files], "dialect": dialect,
            "version": version, "meta": meta, "stubs": [list(stub) for stub in parts.stubs()],
            "origins": {k: [loc.kind, loc.ref, loc.rev, ptr] for k, (loc, ptr) in origins.items()},
        }, document, followed_refs=followed, others=reader.stats, roots=reader.roots() if followed else None)
    return _spec(parts, location.display, version, meta, digest, file_names)


def _from_cache(
    cached: tuple[dict[str, Any], Callable[[], dict[str, Any]]], raw: bytes, location: Location,
    allow_network: bool, ref_roots: tuple[str, ...], digest: str,
) -> Spec:
    header, cached_document = cached

    def document_again() -> dict[str, Any]:
        try:
            return cached_document()
        except ValueError:  # a damaged entry: do the work again
            return _normalised(raw, _reader(location, allow_network, ref_roots))[0]

    origins = {
        key: (Location(kind, ref, rev), pointer)
        for key, (kind, ref, rev, pointer) in (header.get("origins") or {}).items()
    }
    # A single-file entry is shared by identical files anywhere: the root's name is this
    # location's, not the one that filled the cache (entries with other files are per folder).
    files = [location.display, *(Location(kind, ref, rev).display for kind, ref, rev in list(header["files"])[1:])]
    dialect = str(header["dialect"])
    parts = Parts(
        None, document_again, dialect, [tuple(p) for p in header["problems"]],
        Locator(location, raw, dialect, origins), location.display,
        stubs=[OpStub(*stub) for stub in header["stubs"]],
    )
    meta = header["meta"]
    meta = {"title": str(meta["title"]), "api_version": str(meta["api_version"]), "servers": list(meta["servers"])}
    return _spec(parts, location.display, str(header["version"]), meta, digest, files)


def _normalised(
    raw: bytes, reader: Reader,
) -> tuple[dict[str, Any], list[tuple[str, str, str, str]], list[Location], dict[str, tuple[Location, str]], str, str,
           RefResolver, bool]:
    """Parse, bundle, convert and normalise.

    Returns (document, problems, files, origins, version, dialect, refs, whether other files'
    $refs were followed).
    """
    location, allow_network = reader.root, reader.allow_network
    parsed = reader.parse(raw, location)
    problems: list[tuple[str, str, str, str]] = [("warning", "", w, "repaired-text") for w in parsed.warnings]
    problems.extend(_duplicate_problems(parsed.duplicates, ""))
    document = parsed.data
    version, dialect = _detect(document, location.display)

    origins: dict[str, tuple[Location, str]] = {}
    files = [location]
    followed = has_external_refs(raw, allow_network=allow_network)
    if followed:
        other_duplicates: list[tuple[Location, Duplicate]] = []

        def load_other(other: Location, referrer: Location) -> Any:
            if other.kind == "url" and not allow_network:
                raise SpecLoadError("external $ref over the network is off (use --allow-network)", location=other.display)
            other_parsed = reader.parse(reader.read_ref(other, referrer), other)
            other_duplicates.extend((other, d) for d in other_parsed.duplicates)
            return other_parsed.data

        bundled = bundle(document, location, load_other, reader.check)
        problems.extend((sev, ptr, msg, "dangling-ref") for sev, ptr, msg in bundled.problems)
        origins = bundled.origins
        files = bundled.files
        for other, duplicate in other_duplicates:
            problems.extend(_duplicate_problems([duplicate], other.display))

    document, refs = _to_openapi3(document, dialect, problems)
    return document, problems, files, origins, version, dialect, refs, followed


def _to_openapi3(document: dict[str, Any], dialect: str, problems: list[tuple[str, str, str, str]],
                 ) -> tuple[dict[str, Any], RefResolver]:
    """A 2.0 document in the 3.0 shape, then normalised (schemas → JSON Schema 2020-12);
    problems of both steps are appended to ``problems``."""
    if dialect == "2.0":
        from toolcheck.spec._swagger2 import convert  # only Swagger 2.0 sources pay for its import

        document, converted_problems = convert(document)
        problems.extend((sev, ptr, msg, "invalid-ref") for sev, ptr, msg in converted_problems)
    normaliser = Normaliser(document, dialect)
    normaliser.run()
    problems.extend(normaliser.problems)
    return document, normaliser.refs


def _duplicate_problems(duplicates: list[Duplicate], file: str) -> list[tuple[str, str, str, str]]:
    """Duplicate keys as problems. Severity by what the duplicate changes: in example data
    (``example``, ``examples``, ``default``, ``enum``, ``const``, ``x-`` extensions) no
    request and no check, so a warning; anywhere else the reviewer and the tool read two
    different APIs (an operation, a parameter, a schema, a description an agent sees), so
    an error."""
    out = []
    for d in duplicates:
        tokens = [*d.parent.split("/")[1:], d.key]
        data = any(t in DATA_KEYS or t in ("examples", "const") or t.startswith("x-") for t in tokens[:-1])
        where = f"{file}: lines" if file else "lines"
        out.append((
            "warning" if data else "error", "" if file else f"{d.parent}/{escape(d.key)}",
            f"key {d.key!r} is written twice ({where} {d.first_line} and {d.line}); the later one wins, so a "
            "reader of the first sees something else than toolcheck loads", "duplicate-key",
        ))
    return out


def load_spec_dict(document: dict[str, Any], *, source: str = "<dict>") -> Spec:
    """Build a Spec from an in-memory document (tests, generated specs). The dict is copied."""
    import copy

    doc = copy.deepcopy(document)
    version, dialect = _detect(doc, source)
    problems: list[tuple[str, str, str, str]] = []
    doc, refs = _to_openapi3(doc, dialect, problems)
    parts = Parts(doc, None, dialect, problems, None, source, refs=refs)
    return _spec(parts, source, version, _meta(doc), "", [source])


def _detect(document: Any, name: str) -> tuple[str, str]:
    if not isinstance(document, dict):
        kind = type(document).__name__ if document is not None else "null"
        kind = {"list": "a list", "str": "a string", "int": "a number", "float": "a number"}.get(kind, kind)
        raise SpecLoadError(
            f"the document is {kind}, not an object; an OpenAPI description is a mapping with an "
            "`openapi` (or `swagger`) key.", location=name,
        )
    declared = document.get("openapi", document.get("swagger"))
    if declared is None:
        keys = ", ".join(list(map(str, document))[:5])
        raise SpecLoadError(
            f"no `openapi` or `swagger` version key at the top (found: {keys or 'nothing'}); "
            "this does not look like an API description.", location=name,
        )
    version = str(declared)
    if "swagger" in document and "openapi" not in document:
        if version not in ("2.0", "2"):
            raise SpecLoadError(f"unsupported Swagger version {version!r}; toolcheck reads 2.0.", location=name)
        return version, "2.0"
    for dialect in ("3.0", "3.1", "3.2"):
        if version == dialect or version.startswith(dialect + "."):
            return version, dialect
    raise SpecLoadError(
        f"unsupported OpenAPI version {version!r}; toolcheck reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2.",
        location=name,
    )


def _meta(document: dict[str, Any]) -> dict[str, Any]:
    """What a Spec shows without its document: title, version, servers."""
    raw_info = document.get("info")
    info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    servers = [s.get("url", "") for s in document.get("servers") or [] if isinstance(s, dict)]
    return {"title": str(info.get("title", "")), "api_version": str(info.get("version", "")), "servers": servers}


def _spec(parts: Parts, display: str, version: str, meta: dict[str, Any], digest: str, files: list[str]) -> Spec:
    return Spec(
        source=display,
        version=version,
        dialect=parts.dialect,
        title=meta["title"],
        api_version=meta["api_version"],
        deferred=parts,
        servers=tuple(meta["servers"]),
        sha256=digest,
        files=tuple(files),
        locator=parts.locator,
    )
