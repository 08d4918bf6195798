"""Spec loading and the model it builds: the only place that reads API descriptions.

This package only re-exports. The loader is :mod:`toolcheck.spec.loader` (read, parse,
bundle, normalise); the records it builds are in :mod:`toolcheck.spec.model`.
"""

from toolcheck.spec._build import derive_operation_id
from toolcheck.spec._sources import list_spec_files
from toolcheck.spec.loader import load_spec, load_spec_dict
from toolcheck.spec.model import (
    HTTP_METHODS,
    Header,
    MediaType,
    Operation,
    Parameter,
    Problem,
    RequestBody,
    Response,
    SecurityScheme,
    Spec,
)

__all__ = [
    "HTTP_METHODS", "Header", "MediaType", "Operation", "Parameter", "Problem", "RequestBody",
    "Response", "SecurityScheme", "Spec", "derive_operation_id", "list_spec_files", "load_spec", "load_spec_dict",
]
