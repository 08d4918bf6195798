"""A content-addressed cache of normalised documents, so an unchanged spec loads fast.

What an entry stands for (issue 12: two folders holding the same ``openapi.yaml`` but
different referenced files used to share one entry, and ``drift A B`` said "no breaking
changes"):

* the key is the SHA-256 of the root file's bytes, the loading rules (network allowed, extra
  ``--ref-root`` folders) and the loader's version;
* a spec whose load followed or refused any ``$ref`` to another file is also bound to the
  folder it was loaded from and the folders its refs could read: its entry lives in a slot of
  its own (key + folder) and records, for every other file read, its path from the root's
  folder, its real path, its stat identity (device, inode, size, mtime, ctime: ctime cannot be
  set back by ``touch``) and its SHA-256. A hit needs each file to resolve to the same real path
  and to keep its identity, or, when the identity changed, the same bytes.

Entries are JSON (orjson), never pickle, so a tampered cache cannot run code. Written
atomically; any error reading or writing the cache is ignored (it is only a cache). The folder
is bounded (issue 17): entries unused for ``TOOLCHECK_CACHE_MAX_DAYS`` days (default 30) are
removed, then the least recently used until the total is under ``TOOLCHECK_CACHE_MAX_MB``
(default 256). A hit refreshes the entry's mtime, which is what "used" means here.

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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from toolcheck.spec._sources import Location

# Bump when the normalised document's shape changes.
FORMAT = "4"  # 4: YAML 1.2 booleans
MIN_BYTES_TO_CACHE = 128 * 1024
_DAY = 86_400


def cache_dir() -> Path:
    env = os.environ.get("TOOLCHECK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "toolcheck" / "specs"


def _limit(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


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


def key(raw: bytes, allow_network: bool, ref_roots: tuple[str, ...]) -> str:
    """The cache key of a root document loaded under these rules."""
    h = hashlib.sha256(raw)
    h.update(orjson.dumps([allow_network, sorted(os.path.realpath(r) for r in ref_roots)]))
    return h.hexdigest()


def _path(digest: str, folder: str | None = None) -> Path:
    if folder is not None:
        digest = hashlib.sha256(f"{digest}\0{folder}".encode()).hexdigest()
    return cache_dir() / f"{digest}-{_code_version()}.json"


def _folder(location: Location) -> str | None:
    return os.path.realpath(os.path.dirname(location.ref)) if location.kind == "file" else None


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _fresh(stamps: list[list[Any]], folder: str) -> bool:
    """Every other file resolves where it did and still holds the same bytes."""
    for rel, real, identity, digest in stamps:
        path = os.path.realpath(os.path.join(folder, rel))
        if path != real:
            return False
        try:
            if _identity(os.stat(path)) == identity:
                continue
            with open(path, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != digest:
                    return False
        except OSError:
            return False
    return True


def get(
    digest: str, location: Location, roots: Callable[[], list[str]],
) -> tuple[dict[str, Any], Callable[[], dict[str, Any]]] | None:
    """(header, document loader) of a fresh entry, or None. The loader raises ValueError.

    ``roots()`` gives the folders this load's refs may read; an entry bound to other folders
    (or another root folder) is not this spec's.
    """
    folder = _folder(location)
    for path in (_path(digest), *([_path(digest, folder)] if folder is not None else [])):
        found = _read(path, folder, roots)
        if found is not None:
            return found
    return None


def _read(
    path: Path, folder: str | None, roots: Callable[[], list[str]],
) -> tuple[dict[str, Any], Callable[[], dict[str, Any]]] | None:
    try:
        data = path.read_bytes()
        # b"O": written by orjson; b"J": by the stdlib (integers beyond 64 bits survive it).
        codec = data[:1]
        end = data.index(b"\n")
        loads: Callable[[Any], Any] = orjson.loads if codec == b"O" else json.loads
        header: dict[str, Any] = loads(data[1:end])
        bound = header.get("bound")
        if bound is not None:
            if folder is None or bound["folder"] != folder or bound["roots"] != roots():
                return None
            if not _fresh(bound["stamps"], folder):
                return None
        body = memoryview(data)[end + 1:] if codec == b"O" else data[end + 1:]
        os.utime(path)  # "used": the pruning below keeps recently used entries

        def document() -> dict[str, Any]:
            parsed = loads(body)
            if not isinstance(parsed, dict):
                raise ValueError("the cached document is not an object")
            return parsed

        return header, document
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(
    digest: str, location: Location, header: dict[str, Any], document: dict[str, Any], *,
    followed_refs: bool, others: dict[str, tuple[os.stat_result, str]] | None = None, roots: list[str] | None = None,
) -> None:
    """Store a load. ``followed_refs``: the load read or refused another file (see above);
    ``others``: real path -> stat of each other file read."""
    folder = _folder(location)
    if followed_refs:
        if folder is None or others is None or len(others) != len(header["files"]) - 1:
            return  # a git/stdin/remote spec's other files cannot be stamped
    elif location.kind == "file":
        try:
            if os.path.getsize(location.ref) < MIN_BYTES_TO_CACHE:
                return
        except OSError:
            return
    try:
        record = dict(header)
        if followed_refs and folder is not None and others is not None:
            stamps = [[os.path.relpath(real, folder), real, _identity(st), sha] for real, (st, sha) in others.items()]
            record["bound"] = {"folder": folder, "roots": roots or [], "stamps": stamps}
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
        os.replace(tmp, _path(digest, folder if followed_refs else None))
        prune(directory)
    except (OSError, TypeError, ValueError):
        pass  # non-JSON data (YAML sets, binary) or an unwritable cache: just don't cache


def prune(directory: Path | None = None) -> None:
    """Drop entries unused for the maximum age, then the least recently used over the size cap."""
    directory = directory or cache_dir()
    max_age = _limit("TOOLCHECK_CACHE_MAX_DAYS", 30) * _DAY
    max_bytes = _limit("TOOLCHECK_CACHE_MAX_MB", 256) * 1024 * 1024
    now = time.time()
    entries: list[tuple[float, int, Path]] = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if not entry.name.endswith((".json", ".tmp")) or not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
                stale_tmp = entry.name.endswith(".tmp") and now - st.st_mtime > 3600
                if stale_tmp or now - st.st_mtime > max_age:
                    os.unlink(entry.path)
                elif entry.name.endswith(".json"):
                    entries.append((st.st_mtime, st.st_size, Path(entry.path)))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
