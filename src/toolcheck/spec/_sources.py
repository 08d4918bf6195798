"""Where spec text comes from: a file, a directory, stdin, ``git:REV:path`` or a URL.

Each source reads its root document and the files that relative ``$ref``s name, relative to
the referring file, from the same place (a ``git:`` spec reads its other files at the same
revision). Network reads happen only when the caller allows them.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse, urlsplit

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
            if parsed.netloc not in ("", "localhost"):  # RFC 8089 §2: a file on another host
                return Location("file-remote", relative)
            return Location("file", os.path.normpath(unquote(parsed.path)))
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
        return Location("git", _git_path(path), _checked_rev(rev, source))
    if source.startswith(("http://", "https://")):
        return Location("url", source)
    fs_path = Path(source)
    if fs_path.is_dir():
        return Location("file", str(_root_in_directory(fs_path).resolve()))
    return Location("file", str(fs_path.resolve()) if fs_path.exists() else str(fs_path))


# A revision as `git show` reads it, restricted to what specs need: a ref name (git-check-ref-
# format's rules: no `..`, no component starting with `.` or ending with `.lock`, no `//`, no
# trailing `/` or `.`) or an object name, then `~N` / `^N` suffixes. It never starts with `-`,
# so git cannot take it for an option (issue 12: `git:--output=pwned:spec.yaml` wrote a file);
# `--end-of-options` is passed as well, for defence in depth (git >= 2.24).
_REV = re.compile(r"(@|[A-Za-z0-9_][A-Za-z0-9_./+-]{0,199}?)(?:[~^][0-9]{0,6}){0,20}")
_REF_TRAPS = re.compile(r"\.\.|//|/\.|\.lock(?:/|$)|[/.]$")


def _checked_rev(rev: str, source: str) -> str:
    match = _REV.fullmatch(rev)
    if match is None or _REF_TRAPS.search(match.group(1)):
        raise SpecLoadError(
            f"{rev[:80]!r} is not a git revision toolcheck accepts: use a branch, tag or commit "
            "(letters, digits, `._/+-`, optionally followed by ~N or ^N), e.g. git:origin/main:openapi.yaml.",
            location=source[:200],
        )
    return rev


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


def read(location: Location, *, allow_network: bool, max_bytes: int = MAX_BYTES, same_origin: str | None = None) -> bytes:
    """Read the raw bytes at ``location`` within the size limit.

    ``same_origin``: every URL fetched, redirects included, must be on this origin.
    """
    if location.kind == "stdin":
        data = sys.stdin.buffer.read(max_bytes + 1)
        _check_size(len(data), max_bytes, location)
        return data
    if location.kind == "file":
        # The root named on the command line may be a pipe (`<(curl ...)`), never a device:
        # `/dev/zero` used to be read until memory ran out.
        return read_file_bounded(location.ref, max_bytes, location.display, regular_only=False)[0]
    if location.kind == "git":
        try:
            proc = subprocess.run(
                ["git", "show", "--end-of-options", f"{_checked_rev(location.rev, location.display)}:{location.ref}"],
                capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
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
        return _fetch(location, max_bytes, same_origin)
    raise SpecLoadError(f"cannot read a {location.kind} document.", location=location.display)


_MAX_REDIRECTS = 5


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL (RFC 6454 §4), with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _fetch(location: Location, max_bytes: int, same_origin: str | None) -> bytes:
    """GET a URL, following at most five redirects, each checked against ``same_origin``."""
    import httpx

    url = location.ref
    try:
        with httpx.Client(follow_redirects=False, timeout=30) as client:
            for _hop in range(_MAX_REDIRECTS + 1):
                if same_origin is not None and origin(url) != same_origin:
                    raise SpecLoadError(
                        f"a remote document's $refs stay on its own origin ({same_origin}); {url} is not on it.",
                        location=location.display,
                    )
                with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = str(response.url.join(response.headers["location"]))
                        continue
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
    raise SpecLoadError(f"more than {_MAX_REDIRECTS} redirects.", location=location.display)


def read_file_bounded(path: str, max_bytes: int, display: str, *, regular_only: bool) -> tuple[bytes, os.stat_result]:
    """At most ``max_bytes`` of a file, refusing devices (and, if asked, anything not regular).

    The type is judged from ``os.stat`` before opening, and again from the open descriptor;
    a file read through ``$ref`` is opened non-blocking, so a FIFO swapped in between the two
    cannot hang the load. Nothing past ``max_bytes + 1`` is ever read (``/dev/zero``).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SpecLoadError("no such file.", location=display) from None
    except OSError as exc:
        raise SpecLoadError(f"cannot read it: {exc.strerror}.", location=display) from None
    except ValueError:  # a NUL character in the path
        raise SpecLoadError("this path holds a NUL character.", location=display.replace("\x00", "\\0")) from None
    _check_kind(st, display, regular_only)
    _check_size(st.st_size, max_bytes, Location("file", path), display)
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (getattr(os, "O_NONBLOCK", 0) if regular_only else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SpecLoadError(f"cannot read it: {exc.strerror}.", location=display) from None
    try:
        st = os.fstat(fd)
        _check_kind(st, display, regular_only)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        _check_size(total, max_bytes, Location("file", path), display)
        return b"".join(chunks), st
    except OSError as exc:
        raise SpecLoadError(f"cannot read it: {exc.strerror}.", location=display) from None
    finally:
        os.close(fd)


def _check_kind(st: os.stat_result, display: str, regular_only: bool) -> None:
    mode = st.st_mode
    if stat.S_ISREG(mode) or (not regular_only and stat.S_ISFIFO(mode)):
        return
    if stat.S_ISDIR(mode):
        raise SpecLoadError("this is a directory, not a file.", location=display)
    raise SpecLoadError("this is not a regular file (a device, FIFO or socket); refused without reading it.",
                        location=display)


def _check_size(size: int, max_bytes: int, location: Location, display: str | None = None) -> None:
    if size > max_bytes:
        raise SpecLoadError(
            f"the file is {size / 1048576:.1f} MiB, over the {max_bytes / 1048576:.0f} MiB limit.",
            location=display or location.display, hint="Raise it with TOOLCHECK_MAX_SPEC_MB if the file is genuine.",
        )


MAX_SPEC_FILES = 500  # spec files one directory may hold (Twilio ships ~40): a bound, not a target
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
# an OpenAPI/Swagger document names its version at the top level (YAML key or JSON member)
_YAML_ROOT_KEY = re.compile(rb"(?m)^[\"']?(?:openapi|swagger)[\"']?[ \t]*:")
_JSON_ROOT_KEY = re.compile(rb'"(?:openapi|swagger)"\s*:')


def _is_spec_document(name: str, data: bytes) -> bool:
    """A top-level ``openapi``/``swagger`` key (JSON members can come in any order: Twilio sorts them)."""
    if not name.endswith(".json"):
        return _YAML_ROOT_KEY.search(data) is not None
    try:
        import orjson

        doc = orjson.loads(data)
    except (ValueError, TypeError):
        # not parseable: still a spec if it names a version, so its load error is reported, not skipped
        return _JSON_ROOT_KEY.search(data) is not None
    return isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc)


def list_spec_files(source: str) -> list[str] | None:
    """The spec documents under a directory (local or ``git:REV:dir``), as sorted relative paths.

    A spec document is a ``.yaml``/``.yml``/``.json`` file with a top-level ``openapi``/``swagger``
    key; split-out parts (schemas, paths) have none, so each document is listed once and reads
    its own ``$ref``s. Hidden entries and symbolic links are skipped (a
    link may point outside the directory). Returns None when ``source`` is not a directory.

    Raises:
        SpecLoadError: git cannot list the tree, or more than ``MAX_SPEC_FILES`` documents.
    """
    if source.startswith("git:"):
        location = locate(source)  # checks the revision
        names = _git_tree(location)
        if names is None:
            return None
        out = []
        for n in names:
            try:
                data = read(Location("git", posixpath.join(location.ref, n), location.rev), allow_network=False)
            except SpecLoadError:
                data = b'"openapi":'  # too big to check: list it, and its load reports why
            if _is_spec_document(n, data):
                out.append(n)
    else:
        top = Path(source)
        if source.startswith(("http://", "https://")) or not top.is_dir():
            return None
        out = []
        examined = 0
        for current, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(current, d)))
            for name in sorted(files):
                path = Path(current) / name
                # regular files only: a FIFO named x.yaml would block the read, a link may lead outside
                if name.startswith(".") or not name.endswith(_SPEC_SUFFIXES) or not path.is_file() \
                        or path.is_symlink():
                    continue
                examined += 1
                _check_count(examined // 4, source)  # each candidate is read to check it: bound the reads
                try:
                    with path.open("rb") as fh:
                        data = fh.read(MAX_BYTES + 1)
                except OSError:
                    continue
                if len(data) > MAX_BYTES:
                    data = data[:4096]  # too big to load anyway: judged by its head, its load says why
                if _is_spec_document(name, data):
                    out.append(path.relative_to(top).as_posix())
                    _check_count(len(out), source)
    _check_count(len(out), source)
    return sorted(out)


def _check_count(count: int, source: str) -> None:
    if count > MAX_SPEC_FILES:
        raise SpecLoadError(f"more than {MAX_SPEC_FILES} spec files under this directory.", location=source,
                            hint="Point at a smaller directory.")


def _git_tree(location: Location) -> list[str] | None:
    """The files under ``location.ref`` at ``location.rev`` (relative to it), or None for a file."""
    prefix = location.ref.rstrip("/")
    try:
        proc = subprocess.run(
            ["git", "ls-tree", "-r", "-z", "--name-only", "--end-of-options", location.rev, "--", prefix + "/"],
            capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpecLoadError(f"cannot run git: {exc}.", location=location.display) from None
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        raise SpecLoadError(f"git cannot list it: {reason[-1] if reason else 'unknown error'}.",
                            location=location.display)
    names = [n for n in proc.stdout.decode(errors="replace").split("\0") if n.startswith(prefix + "/")]
    if not names:
        return None
    rel = [n[len(prefix) + 1:] for n in names]
    out = [n for n in rel if n.endswith(_SPEC_SUFFIXES) and not any(part.startswith(".") for part in n.split("/"))]
    _check_count(len(out) // 4, location.display)  # each candidate is read to check it: bound the reads too
    return out
