"""Project configuration for the agent commands: ``.toolcheck.yaml`` or ``toolcheck.toml``.

Looked up in the current directory (``--config`` names a file explicitly). Both hold the same
sections; YAML::

    lint:
      fail-on: error            # error | warning | info | never
      rules:
        description-missing: off
        pagination-missing: error
        response-oversized: {severity: warning, max_tokens: 8000}
    policy:
      require: [schema, auth-failure, long-running, high-risk]
      ignore: [legacy_export]   # operationIds (or "METHOD /path") left out of the policy

TOML uses ``[lint.rules]`` / ``[policy]`` tables (``[tool.toolcheck.*]`` in pyproject.toml also
works). ``--config git:origin/main:.toolcheck.yaml`` reads it from the base branch, so a pull
request cannot relax its own checks (see :mod:`toolcheck.configsource`). ``yaml.safe_load`` and
``tomllib`` parse it; the text is limited to 2 MB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolcheck.errors import UsageError

CANDIDATES = (".toolcheck.yaml", ".toolcheck.yml", "toolcheck.toml", "pyproject.toml")


def load_config(explicit: str | None = None, *, cwd: str | Path | None = None) -> tuple[dict[str, Any], str]:
    """The configuration mapping and the file it came from (``{}``, ``""`` when there is none).

    Raises:
        UsageError: the file cannot be read or parsed, or is not a mapping.
    """
    base = Path(cwd) if cwd is not None else Path.cwd()
    if explicit:
        from toolcheck.configsource import config_name, read_config_text

        text, display = read_config_text(explicit, "config file")
        return _parse(text, config_name(explicit), display), display
    for name in CANDIDATES:
        path = base / name
        if path.is_file():
            data = _read(path)
            if name == "pyproject.toml":
                data = ((data.get("tool") or {}).get("toolcheck") or {})
                if not data:
                    continue
            return data, str(path)
    return {}, ""


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read config: {exc.strerror}", location=str(path)) from None
    return _parse(text, path.name, str(path))


def _parse(text: str, name: str, where: str) -> dict[str, Any]:
    path = Path(name)
    try:
        if path.suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef,unused-ignore]
            data: Any = tomllib.loads(text)
            if path.name == "toolcheck.toml" and "toolcheck" in data and "lint" not in data:
                data = data["toolcheck"]
        else:
            import yaml

            data = yaml.safe_load(text) or {}
    except Exception as exc:  # yaml.YAMLError / tomllib.TOMLDecodeError: one message either way
        raise UsageError(f"cannot parse config: {exc}".replace("\n", " "), location=where) from None
    if not isinstance(data, dict):
        raise UsageError("the config file must hold a mapping (lint:, policy:)", location=where)
    return data


def section(config: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    value = config.get(name) or {}
    if not isinstance(value, dict):
        raise UsageError(f"`{name}` must be a mapping", location=source or None)
    return value
