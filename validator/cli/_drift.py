"""``capspec drift``: compare the spec with Together's model listing and OpenAPI document.

The comparison is ``validator.drift._drift``; reading files and URLs is
``validator.drift._fetch``, the one module outside the integrations that may open a
connection, imported here only when the command runs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from validator.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    SPEC_HELP,
    closed_pipe,
    fail,
    format_option,
    load_spec_or_exit,
    stream,
)

if TYPE_CHECKING:
    from validator.drift._drift import Drift, Listed
    from validator.spec._spec import Spec

_DEFAULT_TIMEOUT = 30.0


_EPILOG = """\b
Kinds of drift (the JSON report's "kind"; the README says what each means):
  --models: new_model, unlisted_model, relisted_model, type_mismatch
  --openapi: missing_endpoint, new_parameter, missing_parameter, type_differs,
    enum_differs, bound_differs, deprecated_parameter
"""


@click.command(epilog=_EPILOG)
@click.option(
    "--models",
    "models_source",
    metavar="FILE|URL",
    help="Together's model listing: a saved answer of GET /v1/models, or its URL "
    "(https://api.together.ai/v1/models), fetched with $TOGETHER_API_KEY.",
)
@click.option(
    "--openapi",
    "openapi_source",
    metavar="FILE|URL",
    help="An OpenAPI document (YAML or JSON) whose image and video request bodies are "
    "compared with the spec's parameters.",
)
@format_option("text", "json", "github")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=_DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long a URL may take to answer in full (one attempt, no retries).",
)
def drift(
    models_source: str | None,
    openapi_source: str | None,
    fmt: str,
    spec_path: str | None,
    timeout: float,
) -> None:
    """Tell when the capability spec and Together's live API part ways.

    \b
    --models compares the spec's models with Together's model listing:
      image and video models listed that the spec lacks (new_model), models the
      spec says are served (active or deprecated) that are not listed
      (unlisted_model: candidates for retirement), retired models listed again
      (relisted_model), models listed under another type than their endpoint
      (type_mismatch). Chat, embedding and other models are ignored.
    --openapi compares the spec's parameters with the document's request bodies
      (POST /images/generations, POST /videos): parameters one has and the other
      lacks, types, enumerations and bounds that disagree, deprecations.

    \b
    A FILE is read as is (- for standard input); a URL is fetched with one GET
    (https, or http to this machine only; no redirects, no retries). The listing
    URL is sent Authorization: Bearer $TOGETHER_API_KEY; the OpenAPI URL no key.

    \b
    Examples:
      capspec drift --models https://api.together.ai/v1/models
      capspec drift --models models.json --openapi openapi.yaml --format json
      capspec drift --openapi https://raw.githubusercontent.com/togethercomputer/openapi/main/openapi.yaml
      capspec drift --models https://api.together.ai/v1/models --format github

    \b
    Exit codes: 0 nothing drifted, 1 something drifted, 2 an input cannot be
    read (missing key, timeout, error status, malformed) or a usage error.
    """
    from validator.drift import _drift, _fetch, _openapi  # noqa: PLC0415

    if models_source is None and openapi_source is None:
        raise click.UsageError("give --models FILE|URL, --openapi FILE|URL, or both")
    if models_source == "-" and openapi_source == "-":
        raise click.UsageError("only one of --models and --openapi can read standard input (-)")
    spec = load_spec_or_exit(spec_path)  # a spec that cannot be used exits 2 (1 is drift)
    listed: list[Listed] | None = None
    document: dict[str, Any] | None = None
    try:
        if models_source is not None:
            content = _fetch.read(models_source, timeout=timeout, bearer=True)
            listed = _drift.parse_listing(content, models_source)
        if openapi_source is not None:
            content = _fetch.read(openapi_source, timeout=timeout)
            document = _openapi.load(content, openapi_source)
        found: list[Drift] = []
        if listed is not None and models_source is not None:
            found.extend(_drift.compare_listing(spec, listed, models_source))
        if document is not None and openapi_source is not None:
            found.extend(_drift.compare_openapi(spec, document, openapi_source))
    except (_fetch.FetchError, _drift.ListingError, _openapi.OpenApiError) as exc:
        fail(str(exc))
    out = stream("stdout")
    counts = _counts(spec, listed)
    inputs = {"models": models_source, "openapi": openapi_source}
    with closed_pipe():
        if fmt == "json":
            _json(out, spec, inputs, counts, found)
        elif fmt == "github":
            _github(out, spec, found)
            out.write(_summary(inputs, counts, found) + "\n")
        else:
            for item in found:
                hint = f" (hint: {item.hint})" if item.hint else ""
                out.write(f"{item.source}: {item.kind} {item.message}{hint}\n")
            out.write(_summary(inputs, counts, found) + "\n")
        out.flush()
    sys.exit(EXIT_PROBLEMS if found else EXIT_OK)


def _counts(spec: Spec, listed: list[Listed] | None) -> dict[str, int]:
    from validator.drift._drift import listing_type  # noqa: PLC0415

    watched = {listing_type(m) for m in spec.models.values()}
    counts = {
        "served": sum(1 for m in spec.models.values() if m.lifecycle.served),
        "retired": sum(1 for m in spec.models.values() if not m.lifecycle.served),
    }
    if listed is not None:
        counts["listed"] = len(listed)
        counts["listed_watched"] = sum(1 for item in listed if item.type in watched)
    return counts


def _summary(inputs: dict[str, str | None], counts: dict[str, int], found: list[Drift]) -> str:
    against = " and ".join(s for s in inputs.values() if s is not None)
    what = f"the spec ({counts['served']} served models)"
    if "listed" in counts:
        against += f" ({counts['listed_watched']} image and video models listed)"
    if not found:
        return f"capspec: no drift between {what} and {against}"
    kinds: dict[str, int] = {}
    for item in found:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    detail = ", ".join(f"{n} {k}" for k, n in kinds.items())
    noun = "drift" if len(found) == 1 else "drifts"
    return f"capspec: {len(found)} {noun} between {what} and {against}: {detail}"


def _json(
    out: IO[str],
    spec: Spec,
    inputs: dict[str, str | None],
    counts: dict[str, int],
    found: list[Drift],
) -> None:
    report = {
        "ok": not found,
        "spec": spec.path,
        "inputs": inputs,
        "summary": {"drifts": len(found), **counts},
        "drift": [item.to_dict() for item in found],
    }
    out.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(out: IO[str], spec: Spec, found: list[Drift]) -> None:
    """``::warning file=SPEC,line=N,title=drift KIND::message``, on the spec's entry when found."""
    lines = _spec_lines(spec.path)
    shown = _shown_path(spec.path)
    for item in found:
        key = item.model or (item.param or "").split(".")[0].split("[")[0]
        props = [f"title={_escape_property('capspec drift: ' + item.kind)}"]
        line = lines.get(key) if key else None
        if line is not None:
            props[:0] = [f"file={_escape_property(shown)}", f"line={line}"]
        message = f"{item.message} (hint: {item.hint})" if item.hint else item.message
        out.write(f"::warning {','.join(props)}::{_escape_data(message)}\n")


_ENTRY = re.compile(r"^  (?:\"(?P<quoted>[^\"]+)\"|(?P<plain>[^\s#:\"][^\s#]*?)):(?:\s|$)")


def _spec_lines(path: str) -> dict[str, int]:
    """Line of each entry at indent 2 (models, parameters) in the spec file; empty if unreadable."""
    found: dict[str, int] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ENTRY.match(line)
        if match:
            found.setdefault(match["quoted"] or match["plain"], number)
    return found


def _shown_path(path: str) -> str:
    """The spec's path relative to the working directory when inside it (as annotations need)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path
