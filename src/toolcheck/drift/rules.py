"""The drift rule catalogue: stable ids, default levels, direction and the oasdiff ids they map to.

Hand-written as a table rather than 500 literal entries because oasdiff's catalogue is itself a
product (side × location × keyword × action). Here a rule id names *what changed for whom*
(``request-max-length-decreased``): body versus nested property is the finding's ``scope``,
not a separate rule, so one toolcheck rule maps to several oasdiff ids
(``request-body-max-length-decreased``, ``request-property-max-length-decreased``). The side
decides the level (contravariance): tightening what a client sends breaks it, loosening what a
client receives breaks it.

Levels: ``error`` = breaking, ``warning`` = probably breaking or breaks agents, ``info`` =
changelog only. Rules with ``agent=True`` have no peer equivalent: they treat an operation as an
LLM tool (name, auth, error contract, prose, examples, size).
"""

from __future__ import annotations

from dataclasses import dataclass

from toolcheck.drift._oasdiff import OASDIFF_LEVELS
from toolcheck.findings import Severity

# Drift's levels are the shared severities (toolcheck.findings), under their short names here.
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
LEVELS = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Rule:
    """One kind of change.

    Attributes:
        id: stable identifier, used in ignore files, severity overrides and fingerprints.
        level: default level (error, warning, info).
        direction: ``request``, ``response`` or ``none`` (operation, security, lifecycle).
        description: what the rule detects, one sentence.
        oasdiff: the oasdiff rule ids this rule corresponds to (empty when none exists).
        category: a grouping for reports and docs.
        agent: True for the agent-aware rules no peer has.
    """

    id: str
    level: Severity
    direction: str
    description: str
    oasdiff: tuple[str, ...] = ()
    category: str = ""
    agent: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "level": self.level.value, "direction": self.direction,
            "description": self.description, "oasdiff": list(self.oasdiff),
            "category": self.category, "agent": self.agent,
        }


# --- schema-level changes ------------------------------------------------------------------
# kind -> (level on the request side, level on the response side, category, description)
SCHEMA_KINDS: dict[str, tuple[Severity, Severity, str, str]] = {
    "type-changed": (ERROR, ERROR, "types", "the type (or format) changed to an incompatible one"),
    "type-generalized": (INFO, ERROR, "types", "the type was widened (integer → number, type removed)"),
    "type-specialized": (ERROR, INFO, "types", "the type was narrowed (number → integer, type added)"),
    "list-of-types-widened": (INFO, ERROR, "types", "a type was added to a list of types"),
    "list-of-types-narrowed": (ERROR, INFO, "types", "a type was removed from a list of types"),
    "format-changed": (WARNING, WARNING, "types", "the format changed"),
    "became-nullable": (INFO, ERROR, "required", "null became an allowed value"),
    "became-not-nullable": (ERROR, INFO, "required", "null is no longer an allowed value"),
    "enum-value-added": (INFO, WARNING, "enums", "an enum value was added"),
    "enum-value-removed": (ERROR, INFO, "enums", "an enum value was removed"),
    "enum-value-renamed": (ERROR, WARNING, "enums",
                           "an enum value was respelled (in_progress → inProgress): agents keep sending the old one"),
    "became-enum": (ERROR, INFO, "enums", "the value was restricted to an enum"),
    "enum-removed": (INFO, WARNING, "enums", "the enum restriction was removed"),
    "x-extensible-enum-value-removed": (ERROR, INFO, "enums", "an x-extensible-enum value was removed"),
    "const-added": (ERROR, INFO, "enums", "a const was added"),
    "const-removed": (INFO, ERROR, "enums", "the const was removed"),
    "const-changed": (ERROR, ERROR, "enums", "the const value changed"),
    "default-value-added": (INFO, INFO, "enums", "a default value was added"),
    "default-value-changed": (INFO, INFO, "enums", "the default value changed"),
    "default-value-removed": (INFO, INFO, "enums", "the default value was removed"),
    "max-length-decreased": (ERROR, INFO, "constraints", "maxLength decreased"),
    "max-length-increased": (INFO, ERROR, "constraints", "maxLength increased"),
    "max-length-set": (WARNING, INFO, "constraints", "maxLength was set where there was none"),
    "max-length-unset": (INFO, ERROR, "constraints", "maxLength was removed"),
    "min-length-increased": (ERROR, INFO, "constraints", "minLength increased"),
    "min-length-decreased": (INFO, ERROR, "constraints", "minLength decreased"),
    "max-decreased": (ERROR, INFO, "constraints", "maximum decreased"),
    "max-increased": (INFO, ERROR, "constraints", "maximum increased"),
    "max-set": (WARNING, INFO, "constraints", "maximum was set where there was none"),
    "max-unset": (INFO, ERROR, "constraints", "maximum was removed"),
    "min-increased": (ERROR, INFO, "constraints", "minimum increased"),
    "min-decreased": (INFO, ERROR, "constraints", "minimum decreased"),
    "min-set": (WARNING, INFO, "constraints", "minimum was set where there was none"),
    "min-unset": (INFO, ERROR, "constraints", "minimum was removed"),
    "exclusive-max-decreased": (ERROR, INFO, "constraints", "exclusiveMaximum decreased"),
    "exclusive-max-increased": (INFO, ERROR, "constraints", "exclusiveMaximum increased"),
    "exclusive-max-set": (WARNING, INFO, "constraints", "exclusiveMaximum was set"),
    "exclusive-max-unset": (INFO, ERROR, "constraints", "exclusiveMaximum was removed"),
    "exclusive-min-increased": (ERROR, INFO, "constraints", "exclusiveMinimum increased"),
    "exclusive-min-decreased": (INFO, ERROR, "constraints", "exclusiveMinimum decreased"),
    "exclusive-min-set": (WARNING, INFO, "constraints", "exclusiveMinimum was set"),
    "exclusive-min-unset": (INFO, ERROR, "constraints", "exclusiveMinimum was removed"),
    "max-items-decreased": (ERROR, INFO, "constraints", "maxItems decreased"),
    "max-items-increased": (INFO, ERROR, "constraints", "maxItems increased"),
    "max-items-set": (WARNING, INFO, "constraints", "maxItems was set where there was none"),
    "max-items-unset": (INFO, ERROR, "constraints", "maxItems was removed"),
    "min-items-increased": (ERROR, INFO, "constraints", "minItems increased"),
    "min-items-decreased": (INFO, ERROR, "constraints", "minItems decreased"),
    "min-items-set": (WARNING, INFO, "constraints", "minItems was set where there was none"),
    "min-items-unset": (INFO, ERROR, "constraints", "minItems was removed"),
    "max-properties-decreased": (ERROR, INFO, "constraints", "maxProperties decreased or set"),
    "min-properties-increased": (ERROR, INFO, "constraints", "minProperties increased"),
    "max-contains-decreased": (ERROR, INFO, "constraints", "maxContains decreased"),
    "max-contains-increased": (INFO, ERROR, "constraints", "maxContains increased"),
    "min-contains-increased": (ERROR, INFO, "constraints", "minContains increased"),
    "min-contains-decreased": (INFO, ERROR, "constraints", "minContains decreased"),
    "dependent-required-changed": (ERROR, ERROR, "composition", "dependentRequired changed"),
    "wrapped-in-one-of": (ERROR, ERROR, "composition", "the schema was wrapped in a oneOf with other branches"),
    "media-type-schema-added": (ERROR, INFO, "types", "a schema was added to a media type that had none"),
    "media-type-schema-removed": (INFO, WARNING, "types", "the schema of a media type was removed"),
    "multiple-of-changed": (WARNING, WARNING, "constraints", "multipleOf changed"),
    "unique-items-added": (ERROR, INFO, "constraints", "uniqueItems was turned on"),
    "pattern-added": (ERROR, INFO, "constraints", "a pattern was added"),
    "pattern-changed": (WARNING, INFO, "constraints", "the pattern changed"),
    "pattern-removed": (INFO, INFO, "constraints", "the pattern was removed"),
    "pattern-incompatible": (ERROR, WARNING, "constraints",
                             "the pattern changed and rejects what the other side relies on: an old request "
                             "value (a witness), or every drawn new response value (disjoint, sampled)"),
    "additional-properties-restricted": (ERROR, INFO, "constraints",
                                         "additionalProperties was restricted (false or a narrower schema)"),
    "additional-properties-allowed": (INFO, WARNING, "constraints", "additionalProperties was opened"),
    "property-became-required": (ERROR, INFO, "required", "an existing property became required"),
    "property-became-required-with-default": (ERROR, INFO, "required",
                                              "an existing property with a default became required"),
    "property-became-optional": (INFO, ERROR, "required", "a required property became optional"),
    "new-required-property": (ERROR, INFO, "properties", "a required property was added"),
    "new-required-property-with-default": (ERROR, INFO, "properties",
                                           "a required property with a default was added"),
    "new-optional-property": (INFO, INFO, "properties", "an optional property was added"),
    "required-property-removed": (WARNING, ERROR, "properties", "a required property was removed"),
    "optional-property-removed": (WARNING, WARNING, "properties", "an optional property was removed"),
    "property-renamed": (ERROR, ERROR, "properties",
                         "a property was renamed (one removal and one addition with the same schema)"),
    "property-became-read-only": (INFO, INFO, "read-only", "a property became readOnly"),
    "property-became-not-read-only": (INFO, INFO, "read-only", "a property is no longer readOnly"),
    "property-became-write-only": (INFO, INFO, "read-only", "a property became writeOnly"),
    "property-became-not-write-only": (INFO, WARNING, "read-only",
                                       "a property is no longer writeOnly (responses now carry it)"),
    "property-deprecated": (INFO, INFO, "lifecycle", "a property was deprecated"),
    "property-deprecated-with-sunset": (INFO, INFO, "lifecycle", "a property was deprecated with an x-sunset date"),
    "property-deprecated-sunset-missing": (ERROR, ERROR, "lifecycle",
                                           "a property was deprecated without x-sunset (with --deprecation-days)"),
    "property-deprecated-sunset-invalid": (ERROR, ERROR, "lifecycle", "a deprecated property's x-sunset is not a date"),
    "property-sunset-date-too-small": (ERROR, ERROR, "lifecycle",
                                       "a deprecated property's x-sunset is closer than --deprecation-days"),
    "property-reactivated": (INFO, INFO, "lifecycle", "a property is no longer deprecated"),
    "stability-decreased": (ERROR, ERROR, "lifecycle", "x-stability-level decreased"),
    "stability-increased": (INFO, INFO, "lifecycle", "x-stability-level increased"),
    "all-of-added": (ERROR, INFO, "composition", "an allOf member was added"),
    "all-of-removed": (WARNING, INFO, "composition", "an allOf member was removed"),
    "all-of-added-annotation-only": (INFO, INFO, "composition",
                                     "an allOf member without validation keywords was added"),
    "all-of-removed-annotation-only": (INFO, INFO, "composition",
                                       "an allOf member without validation keywords was removed"),
    "one-of-added": (INFO, ERROR, "composition", "a oneOf branch was added"),
    "one-of-removed": (ERROR, INFO, "composition", "a oneOf branch was removed"),
    "any-of-added": (INFO, INFO, "composition", "an anyOf branch was added"),
    "any-of-removed": (ERROR, INFO, "composition", "an anyOf branch was removed"),
    "discriminator-added": (INFO, INFO, "composition", "a discriminator was added"),
    "discriminator-removed": (INFO, INFO, "composition", "the discriminator was removed"),
    "discriminator-property-name-changed": (INFO, INFO, "composition", "the discriminator property changed"),
    "discriminator-mapping-added": (INFO, INFO, "composition", "a discriminator mapping was added"),
    "discriminator-mapping-deleted": (INFO, INFO, "composition", "a discriminator mapping was deleted"),
    "discriminator-mapping-changed": (INFO, INFO, "composition", "a discriminator mapping changed"),
    "description-changed": (INFO, INFO, "documentation", "the description changed (no change in meaning found)"),
    # a warning only where an LLM reads it: request schemas are the tool's input schema; response
    # schema text is not part of a tool definition (see the catalogue's "Descriptions" paragraph)
    "description-semantics-changed": (WARNING, INFO, "documentation",
                                      "the description changed units, ranges, negations or side effects"),
}
# JSON Schema 2020-12 applicators and keywords compared as added / removed / changed
for _kw in ("if", "then", "else", "contains", "prefix-items", "property-names", "dependent-required",
            "dependent-schema", "unevaluated-items", "unevaluated-properties", "pattern-property",
            "content-media-type", "content-encoding", "content-schema", "not"):
    SCHEMA_KINDS[f"{_kw}-added"] = (ERROR, INFO, "composition", f"`{_kw}` was added")
    SCHEMA_KINDS[f"{_kw}-removed"] = (INFO, ERROR, "composition", f"`{_kw}` was removed")
for _kw in ("content-media-type", "content-encoding"):
    SCHEMA_KINDS[f"{_kw}-changed"] = (ERROR, ERROR, "types", f"`{_kw}` changed")

# where a schema change sits: rule prefix -> (side, oasdiff prefixes for root and for nested)
SIDES: dict[str, tuple[str, str, str]] = {
    "request": ("request", "request-body", "request-property"),
    "response": ("response", "response-body", "response-property"),
    "request-parameter": ("request", "request-parameter", "request-parameter-property"),
    "response-header": ("response", "response-header", "response-header"),
}
# schema kinds whose level differs for parameters / headers (oasdiff parity)
_SIDE_LEVEL: dict[tuple[str, str], Severity] = {
    ("request-parameter", "type-changed"): WARNING,
    ("request-parameter", "default-value-added"): ERROR,
    ("request-parameter", "default-value-changed"): ERROR,
    ("request-parameter", "default-value-removed"): ERROR,
}
# oasdiff ids that do not follow the side-scope-kind pattern
_SPECIAL_OASDIFF: dict[tuple[str, str, bool], tuple[str, ...]] = {
    ("request-parameter", "type-changed", True): ("request-parameter-property-type-changed", "request-parameter-type-changed"),
    ("request-parameter", "type-generalized", True): ("request-parameter-property-type-generalized", "request-parameter-type-generalized"),
    ("request-parameter", "type-specialized", True): ("request-parameter-property-type-specialized",),
    ("request-parameter", "list-of-types-widened", True): ("request-parameter-list-of-types-widened",),
    ("request-parameter", "became-enum", False): ("request-header-property-became-enum",),
    ("request-parameter", "enum-value-added", False): ("request-parameter-property-enum-value-added",),
    ("request-parameter", "enum-value-removed", False): ("request-parameter-property-enum-value-removed",),
    ("response", "enum-value-removed", True): ("response-mediatype-enum-value-removed",),
    ("response", "type-specialized", True): ("response-body-type-specialized",),
    ("request", "new-required-property", False): ("new-required-request-property",),
    ("request", "new-required-property", True): ("new-required-request-property",),
    ("request", "new-required-property-with-default", False): ("new-required-request-property-with-default",),
    ("request", "new-required-property-with-default", True): ("new-required-request-property-with-default",),
    ("request", "new-optional-property", False): ("new-optional-request-property",),
    ("request", "new-optional-property", True): ("new-optional-request-property",),
    ("request", "required-property-removed", False): ("request-property-removed",),
    ("request", "required-property-removed", True): ("request-property-removed",),
    ("request", "optional-property-removed", False): ("request-property-removed",),
    ("request", "optional-property-removed", True): ("request-property-removed",),
    ("response", "new-required-property", False): ("response-required-property-added",),
    ("response", "new-required-property", True): ("response-required-property-added",),
    ("response", "new-optional-property", False): ("response-optional-property-added",),
    ("response", "new-optional-property", True): ("response-optional-property-added",),
    ("response", "required-property-removed", False): ("response-required-property-removed",),
    ("response", "required-property-removed", True): ("response-required-property-removed",),
    ("response", "optional-property-removed", False): ("response-optional-property-removed",),
    ("response", "optional-property-removed", True): ("response-optional-property-removed",),
    ("request-parameter", "new-required-property", False): ("new-required-request-header-property",),
    ("request-parameter", "property-became-required", False): ("request-header-property-became-required",),
    ("response-header", "property-became-optional", True): ("response-header-became-optional",),
}


# oasdiff's ids for a writeOnly property in a response (which the client never receives)
WRITE_ONLY_OASDIFF = {
    "new-optional-property": "response-optional-write-only-property-added",
    "new-required-property": "response-required-write-only-property-added",
    "optional-property-removed": "response-optional-write-only-property-removed",
    "required-property-removed": "response-required-write-only-property-removed",
    "property-became-optional": "response-write-only-property-became-optional",
    "property-became-required": "response-write-only-property-became-required",
    "enum-value-added": "response-write-only-property-enum-value-added",
}


def _schema_oasdiff(prefix: str, kind: str, root: bool) -> tuple[str, ...]:
    special = _SPECIAL_OASDIFF.get((prefix, kind, root))
    if special is not None:
        return tuple(i for i in special if i in OASDIFF_LEVELS)
    side, root_prefix, nested_prefix = SIDES[prefix]
    base = kind
    for ro in ("read-only", "write-only"):
        if kind in (f"property-became-{ro}", f"property-became-not-{ro}"):
            return tuple(i for i in (f"{side}-required-{kind}", f"{side}-optional-{kind}") if i in OASDIFF_LEVELS)
    if kind == "pattern-incompatible":
        kind = base = "pattern-changed"
    if kind == "enum-value-renamed":
        ids = [f"{root_prefix if root else nested_prefix}-enum-value-{a}" for a in ("removed", "added")]
        return tuple(i for i in ids if i in OASDIFF_LEVELS)
    if kind == "property-renamed":
        if side == "request":
            return ("request-property-removed", "new-optional-request-property", "new-required-request-property")
        return ("response-required-property-removed", "response-optional-property-removed")
    if kind.startswith(("property-became", "property-deprecated", "property-reactivated", "property-sunset",
                        "property-stability")):
        base = kind[len("property-"):]
    for candidate in (f"{root_prefix if root else nested_prefix}-{base}", f"{root_prefix}-{base}"):
        if candidate in OASDIFF_LEVELS:
            return (candidate,)
    return ()


def schema_oasdiff_ids(prefix: str, kind: str, root: bool) -> tuple[str, ...]:
    """The oasdiff id(s) for a schema change of ``kind`` at a root (body) or nested position."""
    return _schema_oasdiff(prefix, kind, root)


def schema_rule_id(prefix: str, kind: str) -> str:
    return f"{prefix}-{kind}"


# --- operation, parameter, body, response, security and lifecycle rules --------------------
_OTHER: list[tuple[str, Severity, str, str, tuple[str, ...], str, bool]] = [
    # id, level, direction, category, oasdiff ids, description, agent
    ("path-removed", ERROR, "none", "paths", ("api-path-removed-without-deprecation",),
     "a path (all its operations) was removed without being deprecated first", False),
    ("path-removed-deprecated", INFO, "none", "paths", ("api-path-removed-with-deprecation",),
     "a deprecated path was removed", False),
    ("path-removed-before-sunset", ERROR, "none", "paths", ("api-path-removed-before-sunset",),
     "a deprecated path was removed before its x-sunset date", False),
    ("operation-removed", ERROR, "none", "paths", ("api-removed-without-deprecation",),
     "an operation was removed without being deprecated first", False),
    ("operation-removed-deprecated", INFO, "none", "paths", ("api-removed-with-deprecation",),
     "a deprecated operation was removed", False),
    ("operation-removed-before-sunset", ERROR, "none", "paths", ("api-removed-before-sunset",),
     "a deprecated operation was removed before its x-sunset date", False),
    ("operation-added", INFO, "none", "paths", ("endpoint-added",), "an operation was added", False),
    ("spec-file-removed", ERROR, "none", "paths", (),
     "a spec document of an API split over a directory was removed (every operation in it)", False),
    ("spec-file-added", INFO, "none", "paths", (), "a spec document was added to a directory of specs", False),
    ("operation-moved", ERROR, "none", "paths", ("api-path-removed-without-deprecation", "endpoint-added"),
     "an operation kept its operationId but moved to another path or method", True),
    ("path-parameter-renamed", INFO, "none", "paths", (),
     "a path template only renamed its parameters (/a/{id} → /a/{key})", False),
    ("webhook-removed", ERROR, "none", "paths", ("webhook-removed",), "a webhook was removed", False),
    ("webhook-added", INFO, "none", "paths", ("webhook-added",), "a webhook was added", False),
    ("tool-renamed", ERROR, "none", "agent", ("api-operation-id-removed", "api-operation-id-added"),
     "the operationId (the tool name an agent calls) changed", True),
    ("operation-id-removed", ERROR, "none", "agent", ("api-operation-id-removed",),
     "the explicit operationId (the tool name) was removed", True),
    ("operation-id-added", INFO, "none", "agent", ("api-operation-id-added",),
     "an explicit operationId was added where it was derived", False),
    ("tag-added", INFO, "none", "paths", ("api-tag-added",), "a tag was added to an operation", False),
    ("tag-removed", INFO, "none", "paths", ("api-tag-removed",), "a tag was removed from an operation", False),
    ("operation-deprecated", INFO, "none", "lifecycle", ("endpoint-deprecated",), "an operation was deprecated", False),
    ("operation-deprecated-with-sunset", INFO, "none", "lifecycle", ("endpoint-deprecated-with-sunset",),
     "an operation was deprecated with an x-sunset date", False),
    ("operation-deprecated-sunset-missing", ERROR, "none", "lifecycle", ("api-deprecated-sunset-missing",),
     "an operation was deprecated without x-sunset (only with --deprecation-days)", False),
    ("operation-sunset-invalid", ERROR, "none", "lifecycle", ("api-deprecated-sunset-parse", "api-path-sunset-parse"),
     "x-sunset is not a date", False),
    ("operation-sunset-too-soon", ERROR, "none", "lifecycle", ("api-sunset-date-too-small",),
     "x-sunset is closer than the required deprecation period (--deprecation-days)", False),
    ("operation-sunset-moved-earlier", ERROR, "none", "lifecycle", ("api-sunset-date-changed-too-small",),
     "the x-sunset date moved earlier", False),
    ("operation-sunset-deleted", ERROR, "none", "lifecycle", ("sunset-deleted",),
     "x-sunset was removed from a still deprecated operation", False),
    ("operation-reactivated", INFO, "none", "lifecycle", ("endpoint-reactivated",),
     "an operation is no longer deprecated", False),
    ("operation-stability-decreased", ERROR, "none", "lifecycle", ("api-stability-decreased",),
     "x-stability-level decreased (stable → beta ...)", False),
    ("operation-stability-increased", INFO, "none", "lifecycle", ("api-stability-increased",),
     "x-stability-level increased", False),
    ("operation-stability-invalid", ERROR, "none", "lifecycle", ("api-invalid-stability-level",),
     "x-stability-level is not draft, alpha, beta or stable", False),
    ("new-required-parameter", ERROR, "request", "parameters", ("new-required-request-parameter",),
     "a required parameter was added", False),
    ("new-required-path-level-parameter", ERROR, "request", "parameters",
     ("new-required-request-default-parameter-to-existing-path",),
     "a required parameter was added at path level (every operation of the path)", False),
    ("new-optional-parameter", INFO, "request", "parameters", ("new-optional-request-parameter",),
     "an optional parameter was added", False),
    ("new-optional-path-level-parameter", INFO, "request", "parameters",
     ("new-optional-request-default-parameter-to-existing-path",),
     "an optional parameter was added at path level", False),
    ("new-path-parameter", ERROR, "request", "parameters", ("new-request-path-parameter",),
     "a path parameter was added", False),
    ("parameter-removed", WARNING, "request", "parameters", ("request-parameter-removed",),
     "a parameter was removed (clients still send it)", False),
    ("parameter-removed-deprecated", INFO, "request", "parameters", ("request-parameter-removed-with-deprecation",),
     "a deprecated parameter was removed", False),
    ("parameter-removed-before-sunset", ERROR, "request", "parameters", ("request-parameter-removed-before-sunset",),
     "a deprecated parameter was removed before its x-sunset date", False),
    ("parameter-renamed", ERROR, "request", "parameters", ("request-parameter-removed", "new-required-request-parameter"),
     "a parameter was renamed (removed and added with the same location and schema)", True),
    ("parameter-moved", ERROR, "request", "parameters", (),
     "a parameter moved to another location (query → header ...)", False),
    ("parameter-became-required", ERROR, "request", "parameters", ("request-parameter-became-required",),
     "an optional parameter became required", False),
    ("parameter-became-optional", INFO, "request", "parameters", ("request-parameter-became-optional",),
     "a required parameter became optional", False),
    ("parameter-style-changed", WARNING, "request", "parameters", (),
     "the parameter's style, explode or content type changed (serialisation)", False),
    ("parameter-deprecated", INFO, "request", "lifecycle", ("request-parameter-deprecated",),
     "a parameter was deprecated", False),
    ("parameter-deprecated-sunset-missing", ERROR, "request", "lifecycle", ("request-parameter-deprecated-sunset-missing",),
     "a parameter was deprecated without x-sunset (with --deprecation-days)", False),
    ("parameter-sunset-invalid", ERROR, "request", "lifecycle", ("request-parameter-sunset-parse",),
     "a deprecated parameter's x-sunset is not a date", False),
    ("parameter-sunset-too-soon", ERROR, "request", "lifecycle", ("request-parameter-sunset-date-too-small",),
     "a deprecated parameter's x-sunset is closer than --deprecation-days", False),
    ("parameter-sunset-moved-earlier", ERROR, "request", "lifecycle", ("request-parameter-sunset-date-changed-too-small",),
     "a deprecated parameter's x-sunset moved earlier", False),
    ("parameter-sunset-deleted", ERROR, "request", "lifecycle", ("request-parameter-sunset-deleted",),
     "x-sunset was removed from a still deprecated parameter", False),
    ("parameter-reactivated", INFO, "request", "lifecycle", ("request-parameter-reactivated",),
     "a parameter is no longer deprecated", False),
    ("request-body-added-required", ERROR, "request", "request-body", ("request-body-added-required",),
     "a required request body was added", False),
    ("request-body-added-optional", INFO, "request", "request-body", ("request-body-added-optional",),
     "an optional request body was added", False),
    ("request-body-removed", ERROR, "request", "request-body", ("request-body-removed",),
     "the request body was removed", False),
    ("request-body-became-required", ERROR, "request", "request-body", ("request-body-became-required",),
     "the request body became required", False),
    ("request-body-became-optional", INFO, "request", "request-body", ("request-body-became-optional",),
     "the request body became optional", False),
    ("request-media-type-removed", ERROR, "request", "request-body", ("request-body-media-type-removed",),
     "a request media type was removed", False),
    ("request-media-type-added", INFO, "request", "request-body", ("request-body-media-type-added",),
     "a request media type was added", False),
    ("response-success-status-removed", ERROR, "response", "responses", ("response-success-status-removed",),
     "a success (2xx) response was removed", False),
    ("response-success-status-replaced", INFO, "response", "responses", (),
     "a success status was replaced by another 2xx with the same body (clients test for 2xx)", False),
    ("response-success-status-added", INFO, "response", "responses", ("response-success-status-added",),
     "a success response was added", False),
    ("response-non-success-status-removed", INFO, "response", "responses", ("response-non-success-status-removed",),
     "an error response was removed", False),
    ("response-non-success-status-added", INFO, "response", "responses", ("response-non-success-status-added",),
     "an error response was added", False),
    ("response-media-type-removed", ERROR, "response", "responses", ("response-media-type-removed",),
     "a response media type was removed", False),
    ("response-media-type-name-changed", WARNING, "response", "responses", ("response-media-type-name-changed",),
     "a response media type was replaced by another (application/json → application/vnd.x+json)", False),
    ("response-media-type-name-generalized", ERROR, "response", "responses",
     ("response-media-type-name-generalized",),
     "a response media type became a wildcard (application/json → application/*): clients cannot tell the format", False),
    ("response-media-type-name-specialized", INFO, "response", "responses",
     ("response-media-type-name-specialized",), "a wildcard response media type became specific", False),
    ("response-media-type-added", INFO, "response", "responses", ("response-media-type-added",),
     "a response media type was added", False),
    ("response-header-removed-required", ERROR, "response", "headers", ("required-response-header-removed",),
     "a required response header was removed", False),
    ("response-header-removed-optional", WARNING, "response", "headers", ("optional-response-header-removed",),
     "an optional response header was removed", False),
    ("response-header-added", INFO, "response", "headers", ("response-header-added",),
     "a response header was added", False),
    ("security-added", ERROR, "request", "security", ("api-security-added",),
     "an operation that needed no credentials now requires some (the agent's calls will fail)", True),
    ("security-changed", ERROR, "request", "security", ("api-security-added", "api-security-removed"),
     "the operation requires a security scheme the old requirement did not (new credentials needed)", True),
    ("security-scope-added", ERROR, "request", "security", ("api-security-scope-added",),
     "the operation requires a scope the old token was not asked for", True),
    ("security-removed", INFO, "request", "security", ("api-security-removed",),
     "a security requirement was removed or made optional", False),
    ("security-scope-removed", INFO, "request", "security", ("api-security-scope-removed",),
     "a scope is no longer required", False),
    ("global-security-added", INFO, "none", "security", ("api-global-security-added",),
     "a document-level security requirement was added", False),
    ("global-security-removed", INFO, "none", "security", ("api-global-security-removed",),
     "a document-level security requirement was removed", False),
    ("global-security-scope-added", INFO, "none", "security", ("api-global-security-scope-added",),
     "a scope was added to a document-level security requirement", False),
    ("global-security-scope-removed", INFO, "none", "security", ("api-global-security-scope-removed",),
     "a scope was removed from a document-level security requirement", False),
    ("security-scheme-added", INFO, "none", "security", ("api-security-component-added",),
     "a security scheme was added to components", False),
    ("security-scheme-removed", INFO, "none", "security", ("api-security-component-removed",),
     "a security scheme was removed from components", False),
    ("security-scheme-type-changed", ERROR, "none", "security", ("api-security-component-type-changed",),
     "a security scheme changed type (bearer → apiKey ...): existing credentials stop working", True),
    ("security-scheme-oauth-url-changed", INFO, "none", "security",
     ("api-security-component-oauth-url-changed", "api-security-component-oauth-token-url-changed"),
     "an OAuth authorization or token URL changed", False),
    ("security-scheme-scope-added", INFO, "none", "security", ("api-security-component-oauth-scope-added",),
     "a scope was added to an OAuth flow", False),
    ("security-scheme-scope-removed", INFO, "none", "security", ("api-security-component-oauth-scope-removed",),
     "a scope was removed from an OAuth flow", False),
    ("security-scheme-scope-changed", INFO, "none", "security", ("api-security-component-oauth-scope-changed",),
     "the description of an OAuth scope changed", False),
    ("api-schema-removed", INFO, "none", "components", ("api-schema-removed",),
     "a named component schema was removed", False),
    ("api-version-not-bumped", INFO, "none", "versioning", ("api-version-not-bumped",),
     "breaking changes were found but info.version did not change", False),
    ("api-version-decreased", INFO, "none", "versioning", ("api-version-decreased",),
     "breaking changes were found and info.version decreased", False),
    ("api-major-version-not-bumped", INFO, "none", "versioning", ("api-major-version-not-bumped",),
     "breaking changes were found but the major version of info.version did not increase", False),
    ("error-code-removed", WARNING, "response", "agent", ("response-property-enum-value-removed",),
     "an error code (enum value in an error response) was removed: agent recovery keyed on it stops working", True),
    ("error-code-added", WARNING, "response", "agent", ("response-property-enum-value-added",),
     "an error code was added to an error response: agents do not know how to recover from it", True),
    ("error-schema-changed", WARNING, "response", "agent", (),
     "the schema of an error response changed incompatibly (agents parse it to recover)", True),
    ("example-no-longer-valid", WARNING, "none", "agent", (),
     "an example (a few-shot an LLM copies) no longer validates against the new schema", True),
    ("tool-description-semantics-changed", WARNING, "none", "agent", (),
     "the operation's summary/description changed units, ranges, negations or side effects", True),
    ("parameter-description-semantics-changed", WARNING, "request", "agent", (),
     "a parameter description changed units, ranges, negations or side effects", True),
    ("tool-description-changed", INFO, "none", "documentation", (), "the operation's summary/description changed", False),
    ("tool-size-changed", INFO, "none", "agent", (),
     "the estimated token size of the tool definition an LLM receives changed noticeably", True),
    ("ignore-entry-expired", ERROR, "none", "policy", (),
     "an entry of the ignore file is past its `expires` date: review it or extend it", False),
    ("tool-size-exploded", WARNING, "none", "agent", (),
     "the tool definition an LLM receives grew past 2× and 1,000 tokens", True),
]


def _build() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for prefix, (side, _, _) in SIDES.items():
        for kind, (req, resp, category, text) in SCHEMA_KINDS.items():
            level = _SIDE_LEVEL.get((prefix, kind), req if side == "request" else resp)
            mapped = set(_schema_oasdiff(prefix, kind, True)) | set(_schema_oasdiff(prefix, kind, False))
            if prefix == "request" and f"request-read-only-property-{kind}" in OASDIFF_LEVELS:
                mapped.add(f"request-read-only-property-{kind}")
            if prefix == "response" and kind in WRITE_ONLY_OASDIFF:
                mapped.add(WRITE_ONLY_OASDIFF[kind])
            where = {"request": "request body", "response": "response body",
                     "request-parameter": "parameter", "response-header": "response header"}[prefix]
            agent = kind in ("property-renamed", "description-semantics-changed")
            rules[schema_rule_id(prefix, kind)] = Rule(
                schema_rule_id(prefix, kind), level, side, f"{where}: {text}", tuple(sorted(mapped)), category, agent
            )
    for rid, level, direction, category, ids, text, agent in _OTHER:
        rules[rid] = Rule(rid, level, direction, text, ids, category, agent)
    return rules


RULES: dict[str, Rule] = _build()


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError when unknown)."""
    return RULES[rule_id]


def covered_oasdiff_ids() -> set[str]:
    """Every oasdiff id some toolcheck rule maps to."""
    return {i for r in RULES.values() for i in r.oasdiff}


def catalogue_markdown() -> str:
    """docs/drift-rules.md, generated from :data:`RULES` (a test keeps the file in sync)."""
    lines = [
        "# Drift rules",
        "",
        "<!-- generated by toolcheck.drift.rules.catalogue_markdown(); do not edit by hand -->",
        "",
        "`toolcheck drift OLD NEW` reports each change as one finding of one rule. Levels: **error** = breaking,",
        "**warning** = probably breaking or breaks an agent, **info** = changelog only. Override a level with",
        "`--severity RULE=LEVEL` or in the ignore file; list the rules with `toolcheck drift --list-rules`",
        "(`-f json` for machines).",
        "",
        "Direction decides the level of schema rules (contravariance): tightening what the client *sends*",
        "(`request-*`, `request-parameter-*`) breaks it; loosening what it *receives* (`response-*`,",
        "`response-header-*`) breaks it. A body change and a nested property change are the same rule; the",
        "finding's `oasdiff` field names the exact oasdiff id (`request-body-…` vs `request-property-…`).",
        "Rules marked *agent* have no peer equivalent: they treat an operation as an LLM tool.",
        "",
        "**Grouping.** Every place a change occurs is one finding (own fingerprint, own ignore entry, own",
        "level), but outputs print *identical changes* (same rule, same level, same before and after) as one",
        "row with a count: one enum value dropped from an inline schema repeated in 70 operations is one",
        "row `×70`. JSON keeps `findings` and adds `groups` (each with every place: operation, path,",
        "`file:line`, fingerprint); JUnit/HTML have one case per group listing its places; GitHub",
        "annotations mark the first place of each group. When the PR comment reaches `--max-rows`, a table",
        "says what is hidden per rule (rule, level, rows, changes). Grouping never changes a level or the",
        "exit code. oasdiff prints one line per operation and place (no grouping, no cap summary).",
        "",
        "**Directories.** `toolcheck drift OLD_DIR NEW_DIR` (either side may be `git:REV:dir`) compares an",
        "API split over many documents (Twilio ships ~40 per release) in one process and one report: every",
        "`.yaml`/`.yml`/`.json` file with a top-level `openapi`/`swagger` key under each directory (hidden",
        "entries and symbolic links skipped, at most 500) is paired by relative path; split-out parts",
        "(no such key) are read through the documents' `$ref`s. A document on the old side only is",
        "`spec-file-removed` (an error), one on the new side only `spec-file-added`. Findings name their",
        "`spec_file`, which is part of their fingerprint. A document that cannot be loaded is listed as",
        "*not compared* in every output and the run exits 2. Two directories that each hold one document",
        "(a root and its parts) stay one spec, with the same fingerprints as when the files are named.",
        "A `git:` revision goes through the same check as for one file and is passed after",
        "`--end-of-options`. oasdiff's closest mode, `--composed`, merges all documents matched by a",
        "glob into one API instead of pairing files.",
        "",
        "**Descriptions.** A description is a warning only where an agent reads it as part of the tool:",
        "the operation's summary/description (`tool-description-semantics-changed`), a parameter's",
        "description (`parameter-description-semantics-changed`) and the descriptions inside the request",
        "schemas (`request-…` and `request-parameter-description-semantics-changed`), because those become",
        "the tool's name, description and `inputSchema` (what `toolcheck agent` and MCP/function-calling",
        "tool definitions carry, readOnly properties excepted). Response schemas, response headers and",
        "everything else are not in a tool definition: their changes stay in the changelog at info.",
        "Only a change of meaning (numbers, units, ranges, negations, obligations, side effects) is",
        "reported above info; a rewording is `…-description-changed` at info. oasdiff has no description",
        "rule at all (its `changelog` drops documentation-only edits).",
        "",
        "**Patterns.** A changed pattern is `…-pattern-incompatible` when the other side's values fail",
        "it. Request side (an error): drift found a *witness*, a string the old pattern accepts and the",
        "new one rejects: a request that used to be valid now fails (a proof). Response side (a warning;",
        "oasdiff calls every response pattern change INFO): *every* string drawn from the new pattern",
        "fails the old one, so a client validating with the old pattern rejects what the server now",
        "sends: the sampled stand-in for \"disjoint languages\" (evidence, not proof: an overlap the draws",
        "missed is possible). A widened response pattern whose draws partly match the old one stays",
        "`response-pattern-changed` at info, as in oasdiff. Regex languages cannot be compared exactly",
        "(back-references, look-arounds), hence the sampling: 24 strings drawn from the source pattern",
        "with the generator the mock and fuzzer use (each checked against its pattern), seeded by the",
        "two patterns so runs repeat. No witness proves nothing: the change stays `…-pattern-changed` at",
        "its usual level. A target pattern that could backtrack exponentially (a repeat around a repeat",
        "or an alternation) is never run. The message shows the witness.",
        "",
        f"{len(RULES)} rules; they map to {len(covered_oasdiff_ids())} of oasdiff's {len(OASDIFF_LEVELS)} rule ids "
        f"({sum(1 for i in covered_oasdiff_ids() if OASDIFF_LEVELS[i] != 'INFO')} of its "
        f"{sum(1 for v in OASDIFF_LEVELS.values() if v != 'INFO')} ERR/WARN ids).",
        "",
    ]
    by_category: dict[str, list[Rule]] = {}
    for r in RULES.values():
        by_category.setdefault(r.category or "other", []).append(r)
    for category in sorted(by_category):
        lines += [f"## {category}", "", "| rule | level | direction | what | oasdiff |", "|---|---|---|---|---|"]
        for r in by_category[category]:
            agent = " *(agent)*" if r.agent else ""
            ids = ", ".join(f"`{i}`" for i in r.oasdiff) or "—"
            lines.append(f"| `{r.id}` | {r.level} | {r.direction} | {r.description}{agent} | {ids} |")
        lines.append("")
    return "\n".join(lines)
