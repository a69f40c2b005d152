"""``validate``: the public entry point, and the problems of the model key itself.

A request whose ``model`` names a known model goes to that model's ``ModelChecker``
(``_checker.py``), compiled on first use; everything else (not an object, no model,
a model id that is not a string or not in the spec) is judged here, with a
did-you-mean for a mistyped id.
"""

from __future__ import annotations

from validator._problem import Problem, got, quote
from validator.check._checker import ModelChecker, successor_hint
from validator.spec import _spec, _specload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from validator.spec._spec import Spec


def checker_for(spec: Spec, model_id: str) -> ModelChecker | None:
    """The compiled checker of a model, compiled on first use; None for an unknown id."""
    checkers = spec._checkers  # noqa: SLF001 - the Spec owns the cache, this module fills it
    found: ModelChecker | None = checkers.get(model_id)
    if found is None:
        model = spec.models.get(model_id)
        if model is None:
            return None
        found = checkers[model_id] = ModelChecker(spec, model)
    return found


#: The bundled spec once loaded (``_specload.bundled`` keeps it for the process):
#: ``validate`` and ``normalize`` reach it without a call.
BUNDLED: list[Spec] = []


def resolve_spec(spec: Spec | str | Any | None) -> Spec:
    """Accept a Spec, a path to a spec file, or None for the bundled spec."""
    if spec is None:
        if not BUNDLED:
            BUNDLED.append(_specload.bundled())
        return BUNDLED[0]
    if isinstance(spec, _spec.Spec):
        return spec
    return _specload.load_spec(spec)


def validate(request: Any, *, spec: Spec | str | None = None) -> list[Problem]:
    """Check a request and return every problem, errors and warnings.

    A request the API accepts can still have warnings (a retired model, advice):
    ``[]`` means nothing to report, not "valid". To decide whether to send it, use
    ``validator.find_errors(request)`` or ``any(p.is_error for p in problems)``.

    Never raises for any request value: a non-object, unknown keys, wrong types,
    huge numbers, lone surrogates or deep nesting all become problems.

    Args:
        request: The JSON body you would POST, as Python data.
        spec: A Spec from ``load_spec``, a path to a spec file, or None (bundled).

    Returns:
        Errors and warnings in request order; model-level warnings first.

    Raises:
        SpecError: ``spec`` is a path to a spec that cannot be loaded (as ``load_spec``).
    """
    resolved = BUNDLED[0] if spec is None and BUNDLED else resolve_spec(spec)
    if type(request) is dict:
        model_id = request.get("model")
        if type(model_id) is str:
            checker = resolved._checkers.get(model_id) or checker_for(resolved, model_id)  # noqa: SLF001
            if checker is not None:
                if checker.is_clean(request):
                    return [*checker.base]
                return checker.problems(request)
    return model_problems(request, resolved)


def model_problems(request: Any, spec: Spec) -> list[Problem]:
    """Problems found before a model checker applies: not an object, no or unknown model."""
    if not isinstance(request, dict):
        return [
            Problem(
                "invalid_type",
                "error",
                None,
                "$",
                f"a request must be a JSON object, got {got(request)}",
            )
        ]
    if "model" not in request:
        return [
            Problem(
                "missing_required",
                "error",
                "model",
                "$.model",
                "the request names no model",
                example_model(spec),
            )
        ]
    model_id = request["model"]
    if not isinstance(model_id, str):
        return [
            Problem(
                "invalid_type",
                "error",
                "model",
                "$.model",
                f"model must be a string, got {got(model_id)}",
            )
        ]
    checker = checker_for(spec, model_id)
    if checker is not None:  # a str subclass
        return checker.problems(request)
    from validator.spec._explain import unicode_problem  # noqa: PLC0415 - an unknown model only

    unsendable = unicode_problem(model_id, ("model",), "model")
    if unsendable is not None:
        return [unsendable]
    return [
        Problem(
            "unknown_model",
            "error",
            "model",
            "$.model",
            f"{quote(model_id)} is not a model in the capability spec ({len(spec.models)} models)",
            model_hint(model_id, spec),
        )
    ]


def example_model(spec: Spec) -> str:
    """``add a model, for example '...'``, naming the spec's first active image model."""
    for model in spec.models.values():
        if model.lifecycle.status == "active" and model.endpoint == "images":
            return f"add a model, for example {quote(model.id)}"
    return "add a model: capspec models --status active lists them"


def model_hint(model_id: str, spec: Spec) -> str | None:
    import difflib  # noqa: PLC0415 - only for unknown models

    # The same id but for case, or for its namespace: name it, and if it is retired,
    # where to go instead.
    same = spec.fold(model_id)
    case = same is not None
    if same is None:
        tail = model_id.split("/", 1)[-1].lower()
        same = next((i for i in spec.models if i.split("/", 1)[-1].lower() == tail), None)
    if same is not None:
        hint = f"did you mean {quote(same)}?"
        if case:
            hint = f"model ids are case-sensitive: {hint}"
        found = spec.models[same]
        if not found.lifecycle.served and found.lifecycle.replaced_by is not None:
            hint += f" It is retired; {successor_hint(found)}"
        return hint
    # Otherwise only models the API serves are worth suggesting: a retired id is no fix.
    ids = [m.id for m in spec.models.values() if m.lifecycle.served]
    tails = {i.split("/", 1)[-1].lower(): i for i in ids}
    tail = model_id.split("/", 1)[-1].lower()
    close = difflib.get_close_matches(model_id, ids, n=3, cutoff=0.6)
    close += [tails[t] for t in difflib.get_close_matches(tail, list(tails), n=3, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:3]
    if close:
        shown = [quote(c) for c in close]
        either = ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0]
        return f"did you mean {either}?"
    return "run `capspec models` to list the ids"
