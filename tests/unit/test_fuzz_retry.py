"""A 503 or 429 is retried once after its Retry-After before it counts (RFC 9110 §10.2.3, §15.6.4).

Prefect answers 503 while sqlite is busy: a transient refusal, not a server bug, unless it persists.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.fuzz.http import retry_delay, send
from toolcheck.spec import load_spec_dict

NOW = datetime(2026, 12, 8, 1, 0, 0, tzinfo=timezone.utc)


def test_retry_after_reads_delay_seconds_and_http_dates() -> None:
    assert retry_delay({"Retry-After": "3"}, now=NOW) == 3.0
    assert retry_delay({"retry-after": " 0 "}, now=NOW) == 0.0
    # HTTP-date in all three forms RFC 9110 §5.6.7 asks recipients to read
    assert retry_delay({"Retry-After": "Tue, 08 Dec 2026 01:00:04 GMT"}, now=NOW) == 4.0
    assert retry_delay({"Retry-After": "Tuesday, 08-Dec-26 01:00:02 GMT"}, now=NOW) == 2.0
    assert retry_delay({"Retry-After": "Tue Dec  8 01:00:01 2026"}, now=NOW) == 1.0
    # the server's own Date is the reference when it sends one (clock skew between the hosts)
    assert retry_delay({"Retry-After": "Tue, 08 Dec 2026 01:00:04 GMT",
                        "Date": "Tue, 08 Dec 2026 01:00:03 GMT"}, now=NOW) == 1.0
    assert retry_delay({"Retry-After": "Tue, 08 Dec 2026 00:59:00 GMT"}, now=NOW) == 0.0  # in the past
    # absent or unreadable: the caller's default
    for headers in ({}, {"Retry-After": "soon"}, {"Retry-After": "-1"}, {"Retry-After": "1.5"},
                    {"Retry-After": "9" * 400}):
        assert retry_delay(headers, now=NOW) is None, headers


def _client(answers: list[httpx.Response], seen: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return answers.pop(0) if len(answers) > 1 else answers[0]

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")


def test_a_transient_503_is_retried_once_and_the_answer_after_it_counts() -> None:
    seen: list[str] = []
    client = _client([httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200, json={})], seen)
    exchange = send(client, "GET", "/x", {}, None)
    assert (exchange.status, len(seen)) == (200, 2)
    assert "503" in exchange.retried and "retried once" in exchange.retried


def test_a_persistent_503_or_429_is_reported_after_one_retry() -> None:
    for status in (503, 429):
        seen: list[str] = []
        exchange = send(_client([httpx.Response(status, headers={"Retry-After": "0"})], seen), "POST", "/x", {}, b"{}")
        assert (exchange.status, len(seen)) == (status, 2)
        assert exchange.retried


def test_no_retry_past_the_bound_or_for_other_statuses() -> None:
    seen: list[str] = []
    # Retry-After beyond what the caller may wait (the run's budget, at most 5 s): answered as is
    exchange = send(_client([httpx.Response(503, headers={"Retry-After": "60"})], seen), "GET", "/x", {}, None)
    assert (exchange.status, len(seen), exchange.retried) == (503, 1, "")
    seen.clear()
    exchange = send(_client([httpx.Response(503, headers={"Retry-After": "0"})], seen), "GET", "/x", {}, None,
                    max_wait=-1)
    assert (exchange.status, len(seen)) == (503, 1)
    for status in (500, 502, 504, 200):
        seen.clear()
        send(_client([httpx.Response(status, headers={"Retry-After": "0"})], seen), "GET", "/x", {}, None)
        assert len(seen) == 1, status


def test_a_finding_on_a_persistent_503_says_it_was_retried() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/status": {"get": {"operationId": "status", "responses": {"200": {"description": "ok"}}}}}})
    seen: list[str] = []
    client = _client([httpx.Response(503, headers={"Retry-After": "0"}, json={"exception_message": "busy"})], seen)
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(mode="positive", phases=("examples", "boundary")))
    [finding] = fuzzer.run(list(spec.operations))
    assert finding.failure.check == "server_error" and finding.response["status"] == 503
    assert "retried once" in finding.response["retried"]
    assert "still 503 after one retry" in finding.failure.message
    assert len(seen) == 2 * fuzzer.stats.cases  # each case sent twice, counted once
