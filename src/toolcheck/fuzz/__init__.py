"""``toolcheck fuzz``: phases, checks and findings over an injected httpx client.

    from toolcheck.fuzz import Fuzzer, FuzzOptions, Auth, make_client
    fuzzer = Fuzzer(spec, make_client(url), base_url=url, auth=Auth(...), options=FuzzOptions(seed=1))
    findings = fuzzer.run(list(spec.operations))
    result = toolcheck.fuzz.results.to_run_result(spec, fuzzer, findings, operations, ...)
"""

from __future__ import annotations

from toolcheck.fuzz.checks import Failure
from toolcheck.fuzz.findings import Finding
from toolcheck.fuzz.http import Auth, make_client
from toolcheck.fuzz.phases import is_secured
from toolcheck.fuzz.plan import PHASES, FuzzOptions
from toolcheck.fuzz.runner import Fuzzer

__all__ = ["PHASES", "Auth", "Failure", "Finding", "FuzzOptions", "Fuzzer", "is_secured", "make_client"]
