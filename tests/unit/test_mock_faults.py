from __future__ import annotations

import random

import pytest

from toolcheck.errors import UsageError
from toolcheck.mock.faults import Fault, FaultConfig, draw, parse_duration, parse_prefer_fault


def test_parse_config_and_durations() -> None:
    config = FaultConfig.parse("latency=50ms, jitter=0.1s, error_rate=0.1,timeout_rate=0.01,truncate-rate=0.05,timeout=2s")
    assert (config.latency, config.jitter, config.error_rate, config.timeout_rate, config.truncate_rate, config.timeout) == (
        0.05, 0.1, 0.1, 0.01, 0.05, 2.0)
    assert config.active and not FaultConfig().active
    assert parse_duration("250") == 0.25


@pytest.mark.parametrize("text", ["error_rate=2", "latency=fast", "chaos=1", "error_rate", "timeout_rate=-0.1"])
def test_bad_configs_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError) as info:
        FaultConfig.parse(text)
    assert info.value.exit_code == 2 and info.value.hint


def test_prefer_fault_values() -> None:
    assert parse_prefer_fault("503") == Fault("error", status=503)
    assert parse_prefer_fault("error") == Fault("error")
    assert parse_prefer_fault("latency:20ms") == Fault("latency", delay=0.02)
    assert parse_prefer_fault("timeout") == Fault("timeout", delay=30.0)
    assert parse_prefer_fault("truncate") == Fault("truncate")
    assert parse_prefer_fault("nonsense") is None and parse_prefer_fault("latency:soon") is None


def test_draw_rates_are_respected_and_seeded() -> None:
    config = FaultConfig(error_rate=0.2, timeout_rate=0.1, latency=0.01)
    first = [draw(config, random.Random(5)) for _ in range(1)]
    assert first == [draw(config, random.Random(5))]
    rng = random.Random(1)
    kinds = [draw(config, rng)[0] for _ in range(4000)]
    errors = sum(1 for f in kinds if f is not None and f.kind == "error") / len(kinds)
    timeouts = sum(1 for f in kinds if f is not None and f.kind == "timeout") / len(kinds)
    assert 0.17 < errors < 0.23 and 0.08 < timeouts < 0.12
    assert all(draw(config, rng)[1] == 0.01 for _ in range(10))
