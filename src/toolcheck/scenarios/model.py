"""The one in-memory shape both scenario formats load into, and the runner executes.

A toolcheck scenario (``*.toolcheck.yaml``) and an Arazzo workflow both become a
:class:`Scenario` of :class:`Step` objects: the runner does not know which format it runs.
Arazzo-only features (success criteria, ``onSuccess``/``onFailure`` actions, sub-workflows,
located parameters) are fields that toolcheck scenarios leave empty; toolcheck-only features
(``expect``, ``poll``, ``auth``, ``finally``) are fields Arazzo workflows leave empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolcheck._absent import ABSENT

# Bounds on the work one scenario file can ask for (a pull request writes it; docs/security.md).
# Over a bound is a load error with file:line, never a silent clamp.
MAX_POLL_ATTEMPTS = 1000
MAX_POLL_TIME = 3600.0  # seconds, poll max_time
MAX_RETRIES = 10  # network retries of one step (retry: N; max_attempts N + 1); Arazzo retryLimit
MAX_DATA_ROWS = 10_000


@dataclass(frozen=True)
class Param:
    """A request value: ``location`` is path/query/header/cookie, or None to ask the spec."""

    name: str
    value: Any
    location: str | None = None


@dataclass(frozen=True)
class Output:
    """A value captured after a step; ``secret`` ones are masked in every output."""

    expression: Any  # a runtime expression, or an Arazzo 1.1 Selector
    secret: bool = False


@dataclass(frozen=True)
class Input:
    """A scenario input: explicit value > ``env`` variable > ``default``."""

    name: str
    default: Any = ABSENT
    env: str | None = None
    secret: bool = False
    required: bool = False
    schema: Any = None


@dataclass(frozen=True)
class Criterion:
    """An Arazzo Criterion Object: ``type`` is simple, regex, jsonpath (or xpath, unsupported)."""

    condition: str
    context: str | None = None
    type: str = "simple"


@dataclass(frozen=True)
class Action:
    """An Arazzo success/failure action: ``end``, ``goto`` (step or workflow) or ``retry``."""

    name: str
    type: str
    step_id: str | None = None
    workflow_id: str | None = None
    retry_after: float = 0.0
    retry_limit: int = 1
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Poll:
    """Re-send a step until ``until`` holds; ``fail_if`` stops at once (durations in seconds)."""

    until: tuple[str, ...]
    fail_if: tuple[str, ...] = ()
    interval: float = 1.0
    backoff: float = 1.0
    max_interval: float = 30.0
    max_attempts: int = 30
    max_time: float = 60.0
    retry_after: bool = True
    state: str = "$response.body#/status"
    transitions: Any = None  # list (linear order) or {state: [next states]}


@dataclass(frozen=True)
class Retry:
    """Re-send on network errors (never on an HTTP status)."""

    max_attempts: int = 1
    interval: float = 0.5


@dataclass(frozen=True)
class Step:
    """One request to make (or, for Arazzo, a sub-workflow to call) and what must hold after it.

    ``params`` carry a location only when the document gave one; otherwise the spec decides.
    ``auth`` is ``default``, ``none``, ``invalid`` (an auth-failure step) or ``{scheme: value}``.
    """

    id: str
    line: int = 0
    description: str = ""
    operation: str | None = None  # operationId or "METHOD /path"
    operation_path: str | None = None  # Arazzo operationPath: "#/paths/~1pets/get" (the fragment)
    source: str | None = None  # Arazzo source description name
    workflow: str | None = None  # Arazzo sub-workflow id
    params: tuple[Param, ...] = ()
    body: Any = ABSENT
    content_type: str | None = None
    auth: Any = "default"  # "default" | "none" | "invalid" | {scheme: credential}
    expect: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    poll: Poll | None = None
    timeout: float | None = None
    condition: tuple[str, ...] = ()
    retry: Retry | None = None
    contract: str | None = None
    criteria: tuple[Criterion, ...] = ()
    on_success: tuple[Action, ...] = ()
    on_failure: tuple[Action, ...] = ()
    replacements: tuple[tuple[str, Any], ...] = ()  # Arazzo requestBody.replacements (pointer, value)


@dataclass
class Scenario:
    """One runnable unit: a toolcheck scenario or one Arazzo workflow.

    ``sources`` maps a source-description name to a spec location (toolcheck scenarios have one,
    named ``""``). ``workflows`` holds every workflow of the same Arazzo document, for
    sub-workflow steps; ``callable_only`` marks workflows that only run when another calls them.
    """

    name: str
    file: str
    kind: str = "toolcheck"  # "toolcheck" | "arazzo"
    line: int = 0
    sources: dict[str, str] = field(default_factory=dict)
    server: str | None = None
    inputs: dict[str, Input] = field(default_factory=dict)
    input_schema: Any = None
    auth: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    finally_steps: list[Step] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)
    timeout: float | None = None
    contract: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)  # expressions (or Arazzo 1.1 Selectors)
    parameters: tuple[Param, ...] = ()
    components: dict[str, Any] = field(default_factory=dict)
    workflows: dict[str, Scenario] = field(default_factory=dict)
    workflow_id: str | None = None
    callable_only: bool = False
    depends_on: tuple[str, ...] = ()  # Arazzo dependsOn: workflows run first, in this run
    tags: tuple[str, ...] = ()
    env: tuple[str, ...] = ()  # environment variables the file declares (`env:`, inputs' `env:`)
    env_refs: dict[str, str] = field(default_factory=dict)  # $env.NAME used → file:line of its first use
    env_values: dict[str, str] = field(default_factory=dict)  # what $env sees, set by runner.bind_env
    env_at: str = ""  # file:line of the `env:` declaration
    env_bound: bool = False  # bind_env ran (a library caller that skips it gets declared names only)

    @property
    def case_insensitive(self) -> bool:
        """Arazzo compares strings case-insensitively in simple conditions; toolcheck does not."""
        return self.kind == "arazzo"


def parse_duration(value: Any, default: float | None = None) -> float | None:
    """``2`` / ``2.5`` seconds, ``"250ms"``, ``"2s"``, ``"1m"`` → seconds."""
    if value is None:
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * factor
            except ValueError:
                return default
    try:
        return float(text)
    except ValueError:
        return default
