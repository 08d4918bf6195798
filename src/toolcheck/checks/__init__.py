"""Checks shared by every feature: spec structure, and response conformance to the contract."""

from toolcheck.checks.conformance import Violation, check_request_body, check_response
from toolcheck.findings import Finding, Severity

__all__ = ["Finding", "Severity", "Violation", "check_request_body", "check_response"]
