"""Atomic file writes for reports: a reader (CI, a browser) never sees half a file.

Written to a temporary file in the same directory, flushed and fsynced, then ``os.replace``d
over the target (atomic on POSIX and Windows for same-volume paths). On any error the temporary
file is removed and the previous report, if any, stays intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from toolcheck.errors import UsageError


def _current_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any worker threads.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; a report is an artefact others read (CI uploads, web servers), so
# it gets the mode a plain open() would give: 0666 minus the umask.
_FILE_MODE = 0o666 & ~_current_umask()


def ensure_directory(directory: str | Path) -> Path:
    """Create ``directory`` (and parents) if missing; a UsageError if it is a file."""
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"report directory {path} exists and is not a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot create report directory {path}: {exc.strerror or exc}") from None
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (temp file + fsync + ``os.replace``);
    unencodable lone surrogates are written as ``\\udXXX`` escapes.

    Args:
        path: the final file; its directory must exist.
        text: the whole content.

    Returns:
        The path written.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _FILE_MODE)
        # An API can send a lone surrogate ("\ud800" in JSON): Python decodes it into a str that
        # UTF-8 cannot encode. Written as the escape `\ud800`, which stays valid inside a JSON
        # string (the same value) and readable in HTML, XML and Markdown (RFC 8259 §8.2).
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return target
