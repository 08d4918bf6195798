"""A content-addressed cache of validated scenario files, so an unchanged file loads fast.

Validating a 200-step scenario against the JSON Schema and indexing its line numbers costs
more than running it against a local server; CI runs the same files again and again. An
entry holds the parsed document and its pointer → line index, keyed by the SHA-256 of the
file's bytes and a digest of the code that validates it (the schema, the loaders). JSON via
orjson (never pickle), written atomically; any cache error is ignored. TOOLCHECK_NO_CACHE=1
turns it off, as for specs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

MIN_BYTES = 4 * 1024  # smaller files load faster than the cache lookup


def enabled(raw: bytes) -> bool:
    return len(raw) >= MIN_BYTES and not os.environ.get("TOOLCHECK_NO_CACHE")


def _dir() -> Path:
    env = os.environ.get("TOOLCHECK_CACHE_DIR")  # shared with the spec cache
    if env:
        return Path(env) / "scenarios"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "toolcheck" / "scenarios"


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("scenario.schema.json", "loader.py", "arazzo.py", "_cache.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:12]


def _path(raw: bytes) -> Path:
    return _dir() / f"{hashlib.sha256(raw).hexdigest()}-{_code_version()}.json"


def get(raw: bytes) -> dict[str, Any] | None:
    """The cached ``{"data", "index"}`` of a file with exactly these bytes, or None."""
    try:
        entry = orjson.loads(_path(raw).read_bytes())
        return entry if isinstance(entry, dict) and "data" in entry and "index" in entry else None
    except (OSError, ValueError):
        return None


def put(raw: bytes, data: Any, index: dict[str, int]) -> None:
    """Remember a file that loaded and validated cleanly."""
    try:
        payload = orjson.dumps({"data": data, "index": index})
        target = _path(raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        pass  # only a cache (orjson refuses NaN/inf and odd keys: then nothing is cached)
