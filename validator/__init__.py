"""capspec: check Together AI image-generation requests against a per-model capability spec.

>>> import validator
>>> request = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}
>>> validator.validate(request)[0].code
'unsupported_parameter'
"""

from __future__ import annotations

from validator._version import __version__

# The public names are imported when first used (PEP 562), so ``import validator``, and
# ``capspec lint``, which needs only ``validate``, import neither normalize nor migrate.
_WHERE = {
    "CODES": "validator._problem",
    "ERROR_CODES": "validator._problem",
    "WARNING_CODES": "validator._problem",
    "Problem": "validator._problem",
    "validate": "validator.check._validate",
    "migrate": "validator.check._migrate",
    "POLICIES": "validator.check._normalize",
    "Normalized": "validator.check._normalize",
    "Policy": "validator.check._normalize",
    "normalize": "validator.check._normalize",
    "preflight": "validator.check._normalize",
    "CapspecError": "validator.errors",
    "RequestError": "validator.errors",
    "SpecError": "validator.errors",
    "Model": "validator.spec._spec",
    "Spec": "validator.spec._spec",
    "load_spec": "validator.spec._specload",
}
# Public modules, attributes of the package once imported (``validator.errors.SpecError``).
_MODULES = ("errors",)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from validator._problem import CODES, ERROR_CODES, WARNING_CODES, Problem
    from validator.check._migrate import migrate
    from validator.check._normalize import POLICIES, Normalized, Policy, normalize, preflight
    from validator.check._validate import validate
    from validator.errors import CapspecError, RequestError, SpecError
    from validator.spec._spec import Model, Spec
    from validator.spec._specload import load_spec
else:
    # Not for type checkers: they see the imports above, so a misspelt name stays an error.
    def __getattr__(name: str) -> object:
        from importlib import import_module  # noqa: PLC0415 - capspec lint never gets here

        if name in _MODULES:
            return import_module(f"validator.{name}")  # which sets it in the package
        where = _WHERE.get(name)
        if where is None:
            # Worded as Python words it for a module.
            raise AttributeError(f"module 'validator' has no attribute '{name}'")
        value = getattr(import_module(where), name)
        globals()[name] = value  # found directly from now on
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE, *_MODULES})


def find_errors(request: Any, *, spec: Spec | str | None = None) -> list[Problem]:
    """The errors of a request only: ``[]`` when the API would accept it.

    ``validate`` returns warnings too (a retired model, a value outside advice);
    ``if validator.find_errors(request): reject`` refuses only what the API refuses.
    Never raises for any request value. (Not ``validator.errors``: that name is the
    module of exception classes.)
    """
    from validator.check._validate import validate  # noqa: PLC0415

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
