"""Writing reports: atomic files, incremental progress, formats, directories."""

from __future__ import annotations

import json
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from toolcheck.details import Details
from toolcheck.errors import UsageError
from toolcheck.report import (
    IncrementalReporter,
    atomic_write_text,
    load_json_report,
    merge_results,
    normalise_formats,
    parse_json_report,
    render_json,
    write_reports,
)
from toolcheck.results import RESULT_FORMAT_VERSION, CaseResult, RunResult, SuiteResult


def suite(name: str, status: str = "passed") -> SuiteResult:
    return SuiteResult(name, (CaseResult(f"{name} step", status, 0.1),), 0.1)


HEADER = RunResult("run", "Incremental", command_line="toolcheck run s", seed=9, started_at="2026-01-01T00:00:00Z")


def test_incremental_reports_track_finished_suites(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "reports"
    reporter = IncrementalReporter(out, ("html", "junit", "json"), HEADER)
    assert out.is_dir()
    for i in range(3):
        reporter.add(suite(f"s{i}"))
        data = json.loads((out / "report.json").read_text())
        assert [s["name"] for s in data["suites"]] == [f"s{j}" for j in range(i + 1)]
        assert data["interrupted"] is True  # until finish(), a crash leaves the truth on disk
        assert data["seed"] == 9 and data["command_line"] == "toolcheck run s"
        assert len(ET.fromstring((out / "junit.xml").read_text()).findall("testsuite")) == i + 2  # + interrupted
    assert not (out / "report.html").exists()  # the costly format waits for the end
    final = RunResult("run", "Incremental", suites=reporter.suites, duration=1.0)
    paths = reporter.finish(final)
    assert set(paths) == {"html", "junit", "json"}
    assert json.loads((out / "report.json").read_text())["interrupted"] is False
    root = ET.fromstring((out / "junit.xml").read_text())
    assert [s.get("name") for s in root.findall("testsuite")] == ["s0", "s1", "s2"]
    reporter.interrupt()  # after finish: nothing changes
    assert json.loads((out / "report.json").read_text())["interrupted"] is False


def test_interrupt_writes_every_format_with_what_finished(tmp_path: Path) -> None:
    reporter = IncrementalReporter(tmp_path, ("html", "json", "markdown"), HEADER)
    reporter.add(suite("done", "failed"))
    reporter.interrupt()
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["interrupted"] is True and data["totals"]["failed"] == 1
    assert "interrupted" in (tmp_path / "report.html").read_text()
    assert "Interrupted" in (tmp_path / "summary.md").read_text()


def test_interrupt_before_any_suite_is_still_valid(tmp_path: Path) -> None:
    IncrementalReporter(tmp_path, ("junit", "json"), HEADER).interrupt()
    assert load_json_report(tmp_path / "report.json").interrupted
    ET.fromstring((tmp_path / "junit.xml").read_text())


def test_parallel_adds_keep_files_valid(tmp_path: Path) -> None:
    reporter = IncrementalReporter(tmp_path, ("junit", "json"), HEADER)
    threads = [threading.Thread(target=reporter.add, args=(suite(f"t{i}"),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = json.loads((tmp_path / "report.json").read_text())
    assert sorted(s["name"] for s in data["suites"]) == [f"t{i}" for i in range(8)]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_keeps_the_old_file_when_replace_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    atomic_write_text(target, "old")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_formats_are_validated_and_aliased() -> None:
    assert normalise_formats(["html,junit", "md", "json", "xml"]) == ("html", "junit", "markdown", "json")
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        normalise_formats(["pdf"])


def test_report_directory_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("")
    with pytest.raises(UsageError, match="not a directory"):
        write_reports(HEADER, blocker, ("json",))


def test_json_round_trip_and_strictness() -> None:
    weird = CaseResult("c", "failed", details=Details.from_json({"nan": float("nan"), "tuple": (1, 2), "bytes": b"\xff", "set": {2, 1}}))
    result = RunResult("fuzz", "J", suites=(SuiteResult("s", (weird,)),), seed=1)
    text = render_json(result)
    data = json.loads(text)  # strict JSON: NaN became null
    assert data["format_version"] == RESULT_FORMAT_VERSION
    assert data["suites"][0]["cases"][0]["details"] == {"nan": None, "tuple": [1, 2], "bytes": "\ufffd", "set": [1, 2]}
    back = parse_json_report(text)
    assert back.tool == "fuzz" and back.suites[0].cases[0].status == "failed"


@pytest.mark.parametrize("text, message", [
    ("{nope", "not valid JSON"),
    ("[]", "not a toolcheck JSON report"),
    ('{"tool": "run", "suites": [], "format_version": "9.0"}', "not supported"),
    ('{"tool": "run", "suites": [{"cases": []}], "format_version": "1.0"}', "malformed"),
])
def test_bad_json_reports_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        parse_json_report(text, source="shard.json")
    assert info.value.location == "shard.json"


def test_merge_sums_and_keeps_order() -> None:
    a = RunResult("run", "A", suites=(suite("a1"),), duration=2.0, seed=1, summary={"requests": 3},
                  started_at="2026-01-01T00:00:02Z")
    b = RunResult("run", "B", suites=(suite("b1", "failed"),), duration=5.0, seed=1, summary={"requests": 4},
                  started_at="2026-01-01T00:00:01Z", interrupted=True)
    merged = merge_results([a, b])
    assert [s.name for s in merged.suites] == ["a1", "b1"]
    assert merged.summary["requests"] == 7 and merged.summary["shards"] == 2
    assert merged.duration == 5.0 and merged.seed == 1 and merged.interrupted
    assert merged.started_at == "2026-01-01T00:00:01Z"
    assert merge_results([a, RunResult("run", "C", seed=2)]).seed is None
    with pytest.raises(UsageError):
        merge_results([])


def test_a_secret_learnt_later_is_redacted_in_suites_already_written(tmp_path: Path) -> None:
    from toolcheck.redact import Redactor

    redactor = Redactor()
    reporter = IncrementalReporter(tmp_path, ("junit", "json"), HEADER, redactor=redactor)
    leaky = SuiteResult("first", (CaseResult("echo", "failed", message="server said late-secret-4242"),))
    reporter.add(leaky)
    assert "late-secret-4242" in (tmp_path / "report.json").read_text()  # not known yet
    redactor.add("late-secret-4242", "captured token")
    reporter.add(suite("second"))
    for name in ("report.json", "junit.xml"):
        assert "late-secret-4242" not in (tmp_path / name).read_text()


def test_incremental_files_match_a_full_render(tmp_path: Path) -> None:
    reporter = IncrementalReporter(tmp_path, ("junit", "json"), HEADER)
    for i in range(3):
        reporter.add(suite(f"m{i}", "failed" if i == 1 else "passed"))
    partial = json.loads((tmp_path / "report.json").read_text())
    full = json.loads(render_json(RunResult("run", "Incremental", suites=reporter.suites, command_line="toolcheck run s",
                                            seed=9, started_at="2026-01-01T00:00:00Z", interrupted=True)))
    partial.pop("duration"), full.pop("duration")
    assert partial == full


def test_loose_inputs_are_tolerated(tmp_path: Path) -> None:
    assert normalise_formats("html,json") == ("html", "json")
    sloppy = CaseResult("c", "passed", properties={"attempts": 2, "ok": True})  # type: ignore[dict-item]
    paths = write_reports(RunResult("run", "T", suites=(SuiteResult("s", (sloppy,)),)), tmp_path, "json,junit")
    assert json.loads(paths["json"].read_text())["suites"][0]["cases"][0]["properties"] == {"attempts": "2", "ok": "True"}


def test_reports_get_the_mode_of_a_plain_open(tmp_path: Path) -> None:
    import stat

    from toolcheck.report._io import _FILE_MODE

    path = atomic_write_text(tmp_path / "r.json", "{}")
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == _FILE_MODE


def test_junit_strict_format(tmp_path: Path) -> None:
    result = RunResult("run", "S", suites=(SuiteResult("s", (CaseResult("c", "passed", properties={"attempts": "1"}),)),))
    paths = write_reports(result, tmp_path, ("junit-strict",))
    root = ET.fromstring(paths["junit-strict"].read_text())
    assert paths["junit-strict"].name == "junit.xml"
    assert root.find(".//testcase/properties") is None
    assert "[[PROPERTY|attempts=1]]" in (root.findtext(".//testcase/system-out") or "")
    reporter = IncrementalReporter(tmp_path / "inc", ("junit-strict",), HEADER)
    reporter.add(result.suites[0])
    assert ET.fromstring((tmp_path / "inc" / "junit.xml").read_text()).find(".//testcase/properties") is None
    with pytest.raises(UsageError, match="junit-strict"):
        normalise_formats(["junit", "junit-strict"])


@pytest.mark.parametrize("learn_late", [False, True])
def test_finish_writes_what_write_reports_writes(tmp_path: Path, learn_late: bool) -> None:
    # finish() reuses the suites add() already sanitised and serialised: same bytes as a full render.
    from toolcheck.redact import Redactor

    redactor = Redactor(["known-secret-1111"])
    details = {"request": {"headers": {"Authorization": "Bearer tok-abc-123", "X-Trace": "known-secret-1111"}},
               "response": {"status": 200, "body": {"password": "hunter22", "note": "late-secret-9090"}}}
    suites = [SuiteResult(f"s{i}", (CaseResult(f"c{i}", "failed" if i == 1 else "passed", 0.5, message="late-secret-9090",
                                               details=Details.from_json(details)),), 0.5) for i in range(3)]
    reporter = IncrementalReporter(tmp_path / "inc", ("html", "junit", "json", "markdown"), HEADER, redactor=redactor)
    for s in suites:
        reporter.add(s)
    if learn_late:
        redactor.add("late-secret-9090", "captured")
    final = RunResult("run", "Incremental", suites=(suites[2], suites[0], suites[1]), duration=2.0,
                      command_line="toolcheck run s --auth x=known-secret-1111", summary={"jobs": 2})
    assert (reporter._from_cache(final) is None) is learn_late  # a secret learnt since: render afresh
    paths = reporter.finish(final)
    expected = write_reports(final, tmp_path / "full", ("html", "junit", "json", "markdown"), redactor=redactor)
    for fmt, path in expected.items():
        text = paths[fmt].read_text()
        assert text == path.read_text(), fmt
        assert "known-secret-1111" not in text and "hunter22" not in text
        assert ("late-secret-9090" in text) is (not learn_late)
