"""Where spec text comes from: a file, a directory, stdin, ``git:REV:path`` or a URL.

Each source reads its root document and the files that relative ``$ref``s name, relative to
the referring file, from the same place (a ``git:`` spec reads its other files at the same
revision). Network reads happen only when the caller allows them.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

from toolcheck.errors import SpecLoadError
from toolcheck.spec._parse import MAX_BYTES

ROOT_NAMES = (
    "openapi.yaml", "openapi.yml", "openapi.json",
    "swagger.yaml", "swagger.yml", "swagger.json",
    "api.yaml", "api.yml", "api.json",
)


@dataclass(frozen=True)
class Location:
    """A readable document: ``kind`` is file, git, url or stdin; ``ref`` identifies it."""

    kind: str
    ref: str
    rev: str = ""

    @property
    def display(self) -> str:
        if self.kind == "git":
            return f"git:{self.rev}:{self.ref}"
        if self.kind == "file":
            try:
                rel = os.path.relpath(self.ref)
                return rel if not rel.startswith("../../..") else self.ref
            except ValueError:
                return self.ref
        return self.ref

    def join(self, relative: str) -> Location:
        """The location of ``relative`` as written in a ``$ref`` inside this document."""
        parsed = urlparse(relative)
        if parsed.scheme in ("http", "https"):
            return Location("url", relative)
        if parsed.scheme == "file":
            return Location("file", os.path.normpath(parsed.path))
        if self.kind == "url":
            return Location("url", urljoin(self.ref, relative))
        if self.kind == "git":
            return Location("git", posixpath.normpath(posixpath.join(posixpath.dirname(self.ref), relative)), self.rev)
        base = os.path.dirname(self.ref) if self.kind == "file" else os.getcwd()
        return Location("file", os.path.normpath(os.path.join(base, relative)))


def locate(source: str) -> Location:
    """Turn what the user typed into a Location (without reading it)."""
    if source == "-":
        return Location("stdin", "<stdin>")
    if source.startswith("git:"):
        rev, sep, path = source[4:].partition(":")
        if not sep or not rev or not path:
            raise SpecLoadError(
                f"cannot read {source!r}: expected git:REV:path, e.g. git:origin/main:openapi.yaml.",
            )
        return Location("git", _git_path(path), rev)
    if source.startswith(("http://", "https://")):
        return Location("url", source)
    fs_path = Path(source)
    if fs_path.is_dir():
        return Location("file", str(_root_in_directory(fs_path).resolve()))
    return Location("file", str(fs_path.resolve()) if fs_path.exists() else str(fs_path))


def _git_path(path: str) -> str:
    """A path relative to the repository top, as `git show REV:path` expects."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return path.lstrip("./")
    absolute = os.path.abspath(path)
    if absolute.startswith(top + os.sep):
        return os.path.relpath(absolute, top).replace(os.sep, "/")
    return path


def _root_in_directory(directory: Path) -> Path:
    for name in ROOT_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    candidates = [
        p for p in sorted(directory.iterdir())
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file() and _looks_like_root(p)
    ]
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(p.name for p in candidates) or "none"
    raise SpecLoadError(
        f"cannot tell which file in this directory is the spec's root (candidates: {names}).",
        location=str(directory), hint="Name the root file, or call it openapi.yaml.",
    )


def _looks_like_root(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b"openapi" in head or b"swagger" in head


def read(location: Location, *, allow_network: bool, max_bytes: int = MAX_BYTES) -> bytes:
    """Read the raw bytes at ``location`` within the size limit."""
    if location.kind == "stdin":
        data = sys.stdin.buffer.read(max_bytes + 1)
        _check_size(len(data), max_bytes, location)
        return data
    if location.kind == "file":
        path = Path(location.ref)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise SpecLoadError("no such file.", location=location.display) from None
        except OSError as exc:
            raise SpecLoadError(f"cannot read it: {exc.strerror}.", location=location.display) from None
        if path.is_dir():
            raise SpecLoadError("this is a directory, not a file.", location=location.display)
        _check_size(size, max_bytes, location)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SpecLoadError(f"cannot read it: {exc.strerror}.", location=location.display) from None
    if location.kind == "git":
        try:
            proc = subprocess.run(
                ["git", "show", f"{location.rev}:{location.ref}"], capture_output=True, timeout=60, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpecLoadError(f"cannot run git: {exc}.", location=location.display) from None
        if proc.returncode != 0:
            reason = proc.stderr.decode(errors="replace").strip().splitlines()
            raise SpecLoadError(
                f"git cannot show it: {reason[-1] if reason else 'unknown error'}.", location=location.display
            )
        _check_size(len(proc.stdout), max_bytes, location)
        return proc.stdout
    if location.kind == "url":
        if not allow_network:
            raise SpecLoadError(
                "reading specs over the network is off by default.", location=location.display,
                hint="Pass --allow-network to fetch it (external $refs included).",
            )
        import httpx

        try:
            with httpx.stream("GET", location.ref, follow_redirects=True, timeout=30) as response:
                response.raise_for_status()
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    _check_size(total, max_bytes, location)
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise SpecLoadError(f"cannot fetch it: {exc}.", location=location.display) from None
    raise SpecLoadError(f"unknown source kind {location.kind}.", location=location.display)


def _check_size(size: int, max_bytes: int, location: Location) -> None:
    if size > max_bytes:
        raise SpecLoadError(
            f"the file is {size / 1048576:.1f} MiB, over the {max_bytes / 1048576:.0f} MiB limit.",
            location=location.display, hint="Raise it with TOOLCHECK_MAX_SPEC_MB if the file is genuine.",
        )
