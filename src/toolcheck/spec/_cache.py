"""A content-addressed cache of normalised documents, so an unchanged spec loads fast.

The key is the SHA-256 of the root file's bytes plus the loader's version; multi-file specs
also record each other file's size and mtime and miss when any changed. Entries are JSON
(orjson), never pickle, so a tampered cache cannot run code. Written atomically; any error
reading or writing the cache is ignored (it is only a cache).

An entry is two JSON texts on one file: a small header line (problems, operation index,
title, files) and the normalised document. A hit parses only the header; the document is
parsed when the Spec first needs it (for JSON specs the parse *is* most of a load, so this is
what makes a warm load cheap when only a few operations are used).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from toolcheck.spec._sources import Location

# Bump when the normalised document's shape changes.
FORMAT = "2"
MIN_BYTES_TO_CACHE = 128 * 1024


def cache_dir() -> Path:
    env = os.environ.get("TOOLCHECK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "toolcheck" / "specs"


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the loader's own source, so a changed loader never reads a stale entry."""
    from toolcheck import __version__

    h = hashlib.sha256(f"{__version__}-{FORMAT}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        try:
            h.update(path.read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:12]


def _path(digest: str) -> Path:
    return cache_dir() / f"{digest}-{_code_version()}.json"


def _stamp(files: list[str]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for name in files:
        st = os.stat(name)
        out.append([name, st.st_size, st.st_mtime_ns])
    return out


def get(digest: str, location: Location) -> tuple[dict[str, Any], Callable[[], dict[str, Any]]] | None:
    """(header, document loader) of a fresh entry, or None. The loader raises ValueError."""
    try:
        path = _path(digest)
        if not path.exists():
            return None
        data = path.read_bytes()
        # b"O": written by orjson; b"J": by the stdlib (integers beyond 64 bits survive it).
        codec = data[:1]
        end = data.index(b"\n")
        loads: Callable[[Any], Any] = orjson.loads if codec == b"O" else json.loads
        header: dict[str, Any] = loads(data[1:end])
        stamps = header.get("stamps")
        if stamps and _stamp([s[0] for s in stamps]) != stamps:
            return None
        body = memoryview(data)[end + 1:] if codec == b"O" else data[end + 1:]

        def document() -> dict[str, Any]:
            parsed = loads(body)
            if not isinstance(parsed, dict):
                raise ValueError("the cached document is not an object")
            return parsed

        return header, document
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(digest: str, location: Location, header: dict[str, Any], document: dict[str, Any]) -> None:
    files: list[str] = header["files"]
    if location.kind == "file":
        try:
            if os.path.getsize(location.ref) < MIN_BYTES_TO_CACHE and len(files) == 1:
                return
        except OSError:
            return
    elif len(files) > 1:
        return  # other files of a git/stdin spec cannot be stamped
    try:
        others = [os.path.abspath(f) for f in files[1:]]
        record = {**header, "stamps": _stamp(others) if others else []}
        try:
            payload = b"O" + orjson.dumps(record) + b"\n" + orjson.dumps(document)
        except orjson.JSONEncodeError:
            # JSON texts without indentation never hold a raw newline: it separates the two.
            payload = b"J" + json.dumps(record, allow_nan=True).encode() + b"\n" + json.dumps(document, allow_nan=True).encode()
        directory = cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, _path(digest))
    except (OSError, TypeError, ValueError):
        pass  # non-JSON data (YAML sets, binary) or an unwritable cache: just don't cache
