"""capspec: check Together AI image-generation requests against a per-model capability spec.

>>> import validator
>>> request = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}
>>> validator.validate(request)[0].code
'unsupported_parameter'
"""

from __future__ import annotations

from typing import Any

from validator._problem import CODES, ERROR_CODES, WARNING_CODES, Problem
from validator._version import __version__
from validator.check._checker import validate
from validator.check._migrate import migrate
from validator.check._normalize import POLICIES, Normalized, Policy, normalize, preflight
from validator.errors import CapspecError, RequestError, SpecError
from validator.spec._spec import Model, Spec
from validator.spec._specload import load_spec


def find_errors(request: Any, *, spec: Spec | str | None = None) -> list[Problem]:
    """The errors of a request only: ``[]`` when the API would accept it.

    ``validate`` returns warnings too (a retired model, a value outside advice);
    ``if validator.find_errors(request): reject`` refuses only what the API refuses.
    Never raises for any request value. (Not ``validator.errors``: that name is the
    module of exception classes.)
    """
    return [problem for problem in validate(request, spec=spec) if problem.is_error]


__all__ = [
    "CODES",
    "ERROR_CODES",
    "POLICIES",
    "WARNING_CODES",
    "CapspecError",
    "Model",
    "Normalized",
    "Policy",
    "Problem",
    "RequestError",
    "Spec",
    "SpecError",
    "__version__",
    "find_errors",
    "load_spec",
    "migrate",
    "normalize",
    "preflight",
    "validate",
]
