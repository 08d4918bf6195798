"""Fault injection: latency, documented 5xx/429, timeouts, truncated or invalid JSON.

Configured per server (``--faults latency=50ms,error_rate=0.1,timeout_rate=0.01``) or per
request (``Prefer: fault=error``, ``fault=503``, ``fault=timeout``, ``fault=truncate``,
``fault=invalid_json``, ``fault=latency:200ms``). Draws come from one ``Random(seed)`` in
request order, so a run with the same seed and the same requests replays the same faults.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from toolcheck.errors import UsageError

KINDS = ("error", "timeout", "truncate", "invalid_json", "latency")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_duration(text: str) -> float:
    """``50ms``, ``1.5s`` or ``200`` (milliseconds) → seconds."""
    found = _DURATION.match(text)
    if found is None:
        raise UsageError(f"{text!r} is not a duration (use e.g. 50ms or 1.5s)")
    value = float(found.group(1))
    return value if found.group(2) == "s" else value / 1000


@dataclass(frozen=True)
class FaultConfig:
    """What faults to inject and how often (rates are probabilities per request, 0..1).

    Attributes:
        latency: seconds added to every answer.
        jitter: up to this many extra seconds, drawn per request.
        error_rate: answer a documented 5xx/429 (``Retry-After`` on 429/503).
        timeout_rate: hold the request ``timeout`` seconds, then drop it without an answer.
        truncate_rate: cut the JSON body in half.
        invalid_json_rate: answer a body that is not JSON.
        timeout: how long a timeout hangs, in seconds.
    """

    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    truncate_rate: float = 0.0
    invalid_json_rate: float = 0.0
    timeout: float = 30.0

    @property
    def active(self) -> bool:
        return any((self.latency, self.jitter, self.error_rate, self.timeout_rate,
                    self.truncate_rate, self.invalid_json_rate))

    @classmethod
    def parse(cls, text: str) -> FaultConfig:
        """Read ``key=value,...``; raises :class:`UsageError` naming the bad part."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep:
                raise UsageError(f"fault {part!r} needs a value (e.g. error_rate=0.1)", hint=_HELP)
            if key in ("latency", "jitter", "timeout"):
                try:
                    values[key] = parse_duration(raw)
                except UsageError as exc:
                    raise UsageError(f"fault {part!r}: {exc.message}", hint=_HELP) from None
            elif key in ("error_rate", "timeout_rate", "truncate_rate", "invalid_json_rate"):
                try:
                    rate = float(raw)
                except ValueError:
                    raise UsageError(f"fault rate {part!r} is not a number", hint=_HELP) from None
                if not 0 <= rate <= 1:
                    raise UsageError(f"fault rate {part!r} must be between 0 and 1", hint=_HELP)
                values[key] = rate
            else:
                raise UsageError(f"unknown fault {key!r}", hint=_HELP)
        return cls(**values)


_HELP = ("Known faults: latency=50ms, jitter=20ms, error_rate=0.1, timeout_rate=0.01, truncate_rate=0.05, "
         "invalid_json_rate=0.05, timeout=30s.")


@dataclass(frozen=True)
class Fault:
    """The fault chosen for one request: ``kind`` in :data:`KINDS`, plus its parameters."""

    kind: str
    delay: float = 0.0
    status: int | None = None


def parse_prefer_fault(value: str) -> Fault | None:
    """Read ``Prefer: fault=...``: ``error``, a status like ``503``, ``timeout``, ``truncate``,
    ``invalid_json`` or ``latency:200ms``. Unknown values are ignored (Prefer is advisory)."""
    value = value.strip().strip('"').lower()
    if value.isdigit() and 400 <= int(value) <= 599:
        return Fault("error", status=int(value))
    kind, _, arg = value.partition(":")
    if kind == "latency":
        try:
            return Fault("latency", delay=parse_duration(arg or "100ms"))
        except UsageError:
            return None
    if kind == "timeout":
        try:
            return Fault("timeout", delay=parse_duration(arg) if arg else 30.0)
        except UsageError:
            return None
    if kind in ("error", "truncate", "invalid_json"):
        return Fault(kind, status=int(arg) if arg.isdigit() else None)
    return None


def draw(config: FaultConfig, rng: random.Random) -> tuple[Fault | None, float]:
    """The fault for the next request (or None) and the latency to add, from the seeded ``rng``."""
    delay = config.latency + (rng.uniform(0, config.jitter) if config.jitter else 0.0)
    roll = rng.random()
    for kind, rate in (("timeout", config.timeout_rate), ("error", config.error_rate),
                       ("truncate", config.truncate_rate), ("invalid_json", config.invalid_json_rate)):
        if roll < rate:
            return Fault(kind, delay=config.timeout if kind == "timeout" else 0.0), delay
        roll -= rate
    return None, delay
