"""Which documents one spec may read, and how much (issue 12, High 2: any local file through ``$ref``).

A spec, its scenarios and findings files may come from a pull request while the CI job holds
real tokens, so a ``$ref`` is attacker input. The rules, per *referring* document:

* a local document (a file, stdin) reads regular files under its **roots**: the root spec's
  folder, else the git work tree that holds it, else a folder given with ``--ref-root``. The
  target's real path (symlinks followed) must lie under a root, and no part of it below that
  root may start with a dot (``.git/config`` holds the token ``actions/checkout`` persists;
  ``.env``, ``.npmrc``, ``.docker/``...). Absolute paths, ``../`` and ``file://`` are judged by
  the same rule. A work tree that is the home folder or ``/`` (a dotfiles repository) does not
  widen the roots. Network documents only with ``--allow-network``.
* a ``git:`` document reads its other files from the same revision, never from the disk;
* a remote document (``--allow-network``) never reaches local files, and its own ``$ref``s stay
  on its origin (scheme, host, port: RFC 6454), redirects included.

Non-regular files (FIFOs, ``/dev/zero``, sockets, directories) are refused from ``os.stat``
before anything opens them, and the open itself is non-blocking, so a FIFO swapped in between
cannot hang the load. Every file is size-limited, and so is the sum of all files of a spec.

Decisions are memoised per (referring domain, target), so the checks cost one dictionary lookup
per ``$ref`` after the first (the walk-up for the work tree runs at most once per spec).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any

from toolcheck.errors import SpecLoadError
from toolcheck.spec._parse import MAX_BYTES, MAX_NODES, Parsed, parse_bytes
from toolcheck.spec._sources import Location, origin, read, read_file_bounded


def max_nodes() -> int:
    """YAML nodes one spec may hold in all its files (TOOLCHECK_MAX_SPEC_NODES)."""
    try:
        return int(os.environ.get("TOOLCHECK_MAX_SPEC_NODES") or MAX_NODES)
    except ValueError:
        return MAX_NODES


def max_file_bytes() -> int:
    """The size limit of one file of a spec (TOOLCHECK_MAX_SPEC_MB, default 64 MiB)."""
    env = os.environ.get("TOOLCHECK_MAX_SPEC_MB")
    try:
        return int(float(env) * 1024 * 1024) if env else MAX_BYTES
    except ValueError:
        return MAX_BYTES


def _home() -> str:
    try:
        return os.path.realpath(os.path.expanduser("~"))
    except (OSError, KeyError):
        return ""


def _work_tree(folder: str) -> str | None:
    """The top of the git work tree holding ``folder`` (a ``.git`` entry above it), if any."""
    current = folder
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class Reader:
    """Reads the root document and every document its ``$ref``s name, within the rules above."""

    def __init__(self, root: Location, *, allow_network: bool, ref_roots: Sequence[str] = (),
                 max_bytes: int | None = None) -> None:
        self.root = root
        self.allow_network = allow_network
        self.max_bytes = max_bytes if max_bytes is not None else max_file_bytes()
        self.max_total = 2 * self.max_bytes
        self.nodes_left = max_nodes()  # YAML nodes all files of the spec may still hold
        self.total = 0
        self._extra = [os.path.realpath(r) for r in ref_roots]
        self._folder: str | None = None
        self._tree: str | None | bool = False  # False: not looked up yet
        self._decided: dict[tuple[str, Location], str | None] = {}
        self.stats: dict[str, tuple[os.stat_result, str]] = {}  # real path -> (stat, SHA-256) of each file read

    def parse(self, raw: bytes, location: Location) -> Parsed:
        """Parse one file of the spec, charging its YAML nodes to the spec's budget."""
        parsed = parse_bytes(raw, location.display, node_budget=self.nodes_left)
        self.nodes_left -= parsed.nodes
        return parsed

    def uri_handler(self) -> Callable[[str], Any]:
        """A resolver for other libraries (openapi-spec-validator): ``uri`` -> parsed document,
        read under these rules as if the root document named it."""
        def handler(uri: str) -> Any:
            target = self.root.join(uri.partition("#")[0])
            return self.parse(self.read_ref(target, self.root), target).data

        return handler

    # --- the root ---------------------------------------------------------------------------
    def read_root(self) -> bytes:
        data = read(self.root, allow_network=self.allow_network, max_bytes=self.max_bytes)
        self._charge(len(data), self.root)
        return data

    # --- referenced documents -------------------------------------------------------------
    def check(self, target: Location, referrer: Location) -> None:
        """Raise SpecLoadError when ``referrer`` may not read ``target`` (memoised per domain)."""
        key = (self._domain(referrer), target)
        refusal = self._decided.get(key, "")
        if refusal == "":
            refusal = self._decided[key] = self._refusal(target, referrer)
        if refusal is not None:
            raise SpecLoadError(refusal, location=target.display)

    def read_ref(self, target: Location, referrer: Location) -> bytes:
        """The bytes of ``target`` as named by a ``$ref`` in ``referrer`` (checked first)."""
        self.check(target, referrer)
        if target.kind == "file":
            real = os.path.realpath(target.ref)
            data, st = read_file_bounded(real, self.max_bytes, target.display, regular_only=True)
            self.stats[real] = (st, hashlib.sha256(data).hexdigest())  # what the spec cache keys on
        else:
            same_origin = origin(referrer.ref) if referrer.kind == "url" else None
            data = read(target, allow_network=self.allow_network, max_bytes=self.max_bytes, same_origin=same_origin)
        self._charge(len(data), target)
        return data

    def _charge(self, size: int, location: Location) -> None:
        self.total += size
        if self.total > self.max_total:
            raise SpecLoadError(
                f"the spec's files together are over the {self.max_total / 1048576:.0f} MiB limit "
                "(TOOLCHECK_MAX_SPEC_MB sets the limit per file; all files together may hold twice that).",
                location=location.display,
            )

    @staticmethod
    def _domain(referrer: Location) -> str:
        if referrer.kind == "url":
            return origin(referrer.ref)
        return referrer.kind  # "file"/"stdin" share the local rules; "git" has its own

    def _refusal(self, target: Location, referrer: Location) -> str | None:
        """Why ``referrer`` may not read ``target`` (None: it may)."""
        if "\x00" in target.ref:
            return "this reference holds a NUL character; refused."
        if referrer.kind == "url":
            if target.kind != "url":
                return "a remote document cannot reference local files; refused."
            if origin(target.ref) != origin(referrer.ref):
                return (f"a remote document's $refs stay on its own origin ({origin(referrer.ref)}); "
                        "refused.")
            return None
        if target.kind == "url":
            return None  # allowed or not by --allow-network when read
        if referrer.kind == "git":
            if target.kind != "git":
                return "a git: spec reads its other files from the same revision, not from the disk; refused."
            if target.ref.startswith(("/", "../")) or target.ref == "..":
                return "this path leaves the repository; refused."
            return None
        if target.kind != "file":
            return f"cannot read a {target.kind} document from a local spec; refused."
        return self._local_refusal(target.ref)

    def roots(self) -> list[str]:
        """The folders local ``$ref``s may read under (work tree looked up on first need)."""
        roots = [self._spec_folder()]
        tree = self._work_tree()
        if tree:
            roots.append(tree)
        return roots + self._extra

    def _spec_folder(self) -> str:
        if self._folder is None:
            base = os.path.dirname(self.root.ref) if self.root.kind == "file" else os.getcwd()
            self._folder = os.path.realpath(base)
        return self._folder

    def _work_tree(self) -> str | None:
        if self._tree is False:
            tree = _work_tree(self._spec_folder())
            # A dotfiles repository at the home folder (or /) would open every file of the user.
            self._tree = tree if tree and tree not in (_home(), os.path.sep) else None
        return self._tree if isinstance(self._tree, str) else None

    def _local_refusal(self, path: str) -> str | None:
        real = os.path.realpath(path)
        hidden = False
        for candidates in ([self._spec_folder(), *self._extra], [self._work_tree()]):
            for root in candidates:
                if not root:
                    continue
                if real == root:
                    return _kind_refusal(real)  # the folder itself: refused as a directory
                if real.startswith(root.rstrip(os.sep) + os.sep):
                    below = real[len(root.rstrip(os.sep)) + 1:].split(os.sep)
                    if any(part.startswith(".") for part in below):
                        hidden = True
                        continue
                    return _kind_refusal(real)
        if hidden:
            return ("names starting with a dot (.git, .env, .npmrc...) are not read through $ref; refused. "
                    "Pass the folder itself with --ref-root if the spec really lives there.")
        shown = self._spec_folder()
        tree = self._work_tree()
        where = f"{shown} (or the git work tree {tree})" if tree and tree != shown else shown
        return (f"this file is outside the folders $refs may read ({where}); refused. "
                "Pass --ref-root DIR to allow another folder.")


def _kind_refusal(real: str) -> str | None:
    """Refuse what is not a regular file, from ``stat`` alone (nothing is opened)."""
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return None  # reported as "no such file" when read
    except OSError as exc:
        return f"cannot read it: {exc.strerror}."
    if stat.S_ISREG(st.st_mode):
        return None
    what = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    return f"this is {what}, not a regular file; refused without reading it."


__all__ = ["Reader", "origin"]
