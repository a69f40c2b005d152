"""What the integrations share: check one image-generation body before it is sent."""

import logging
from typing import Any, Final

from validator._problem import Problem, describe
from validator.check._normalize import POLICIES, Policy, normalize
from validator.errors import RequestError
from validator.spec._spec import Spec
from validator.spec._specload import load_spec

#: Path suffix of Together's image-generation endpoint (``/v1/images/generations``).
IMAGES_PATH: Final = "/images/generations"

#: Where the integrations report warnings (a retired model, a dropped parameter).
logger: Final = logging.getLogger("validator.integrations")


def resolve(policy: Policy, spec: Spec | str | None) -> Spec:
    """Check a policy name and load a spec once, when an integration is set up.

    Args:
        policy: ``"strict"``, ``"drop"`` or ``"fix"``.
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Returns:
        The loaded spec.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {describe(policy)}")
    return spec if isinstance(spec, Spec) else load_spec(spec)


def check_images_body(body: Any, *, policy: Policy, spec: Spec) -> dict[str, Any]:
    """Normalize a body bound for ``POST /images/generations``; raise if errors remain.

    This is ``validator.preflight`` plus one check only an integration can make,
    because only it knows the endpoint: a video model (Kling) sent to the image
    endpoint is an ``invalid_value`` error on ``$.model``. Warnings (a retired
    model, what ``drop`` or ``fix`` changed) are logged on the
    ``validator.integrations`` logger, so nothing changes silently.

    Args:
        body: The JSON body, as Python data.
        policy: ``"strict"``, ``"drop"`` or ``"fix"`` (see ``validator.normalize``).
        spec: The spec to check against.

    Returns:
        The normalized body to send (a new dict).

    Raises:
        RequestError: errors remain; ``.problems`` holds every problem found.
    """
    result = normalize(body, policy=policy, spec=spec)
    problems = list(result.problems)
    model_id = result.request.get("model") if isinstance(result.request, dict) else None
    model = spec.models.get(model_id) if isinstance(model_id, str) else None
    if model is not None and model.endpoint != "images":
        problems.insert(
            0,
            Problem(
                "invalid_value",
                "error",
                "model",
                "$.model",
                f"{model.id} is a {model.endpoint} model: Together serves it on its "
                f"{model.endpoint} API, not on POST /v1/images/generations",
                f"send it with the {model.endpoint} API (for the Together SDK, "
                f"client.{model.endpoint}.create)",
            ),
        )
    if any(p.severity == "error" for p in problems):
        raise RequestError(problems)
    for problem in problems:
        logger.warning("capspec: %s", problem)
    sent: dict[str, Any] = result.request  # no error, so the body was an object
    return sent
