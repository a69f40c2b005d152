"""Refusals from real traffic: a request capspec passed that Together answered 4xx.

The integrations call ``report_refusal`` after such an answer. It logs a warning
(the spec may be out of date) and, when ``CAPSPEC_DRIFT_LOG`` names a file,
appends one JSON line to it. It never raises and never touches the response:
the caller gets exactly what the API sent.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any, Final

from validator._version import __version__

#: Environment variable naming the file that refusals are appended to (JSON lines).
LOG_VARIABLE: Final = "CAPSPEC_DRIFT_LOG"

#: Statuses about the caller's account or the connection, not the request's content:
#: a bad key (401, 403), a proxy (407), a timeout (408) or a rate limit (429).
#: They say nothing about the spec, so they are not reported.
NOT_ABOUT_THE_REQUEST: Final = frozenset({401, 403, 407, 408, 429})

#: Strings longer than this are cut in the record (a prompt of megabytes, base64 images).
MAX_STRING: Final = 200

logger: Final = logging.getLogger("validator.integrations")


def is_refusal(status: int) -> bool:
    """Whether an HTTP status is a 4xx about the request itself (not 401, 403, 407, 408, 429)."""
    return 400 <= status < 500 and status not in NOT_ABOUT_THE_REQUEST


def api_message(text: str) -> str:
    """The message of an API error body (``{"error": {"message": ...}}``), else the text."""
    try:
        data = json.loads(text)
    except ValueError:
        return _squeeze(text)
    return message_of(data) or _squeeze(text)


def message_of(data: Any) -> str | None:
    """The message in a parsed API error body, or None when it has none."""
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    if isinstance(data.get("message"), str):
        return str(data["message"])
    return None


def _squeeze(text: str) -> str:
    return " ".join(text.split())[:300]


def _shortened(value: Any) -> Any:
    """The value with long strings cut to ``MAX_STRING`` characters (and the length said)."""
    if isinstance(value, str):
        if len(value) <= MAX_STRING:
            return value
        return f"{value[:MAX_STRING]}... ({len(value):,} characters)"
    if isinstance(value, dict):
        return {str(k): _shortened(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shortened(v) for v in value]
    return value


def record(
    *, via: str, status: int, body: Any, message: str, url: str | None = None
) -> dict[str, Any]:
    """The JSON record of one refusal.

    Args:
        via: Which integration saw it (``together.wrap``, ``httpx``).
        status: The HTTP status.
        body: The request body capspec passed (parameters as sent).
        message: The API's message.
        url: The request's URL, when known.
    """
    model = body.get("model") if isinstance(body, dict) else None
    params = {k: v for k, v in body.items() if k != "model"} if isinstance(body, dict) else body
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "via": via,
        "status": status,
        "url": url,
        "model": model if isinstance(model, str) else None,
        "params": _shortened(params),
        "message": message,
        "capspec": __version__,
    }


def report_refusal(
    *, via: str, status: int, body: Any, message: str, url: str | None = None
) -> None:
    """Log a refusal as a warning and append it to ``$CAPSPEC_DRIFT_LOG``; never raise."""
    entry = record(via=via, status=status, body=body, message=message, url=url)
    logger.warning(
        "capspec: Together answered %s to a request capspec passed, the spec may be out of "
        "date: model %s, parameters %s: %s",
        status,
        entry["model"],
        json.dumps(entry["params"], ensure_ascii=False, default=repr),
        message or "(no message)",
    )
    path = os.environ.get(LOG_VARIABLE)
    if path:
        try:
            append(path, entry)
        except OSError as exc:
            logger.warning("capspec: cannot append to %s=%s: %s", LOG_VARIABLE, path, exc)


def append(path: str, entry: dict[str, Any]) -> None:
    """Append ``entry`` as one JSON line with a single write to a file opened O_APPEND.

    POSIX makes each such write land whole at the end of the file, so processes
    and threads appending at once never interleave their lines.
    """
    line = json.dumps(entry, ensure_ascii=False, default=repr) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        data = line.encode("utf-8", "backslashreplace")
        written = os.write(fd, data)
        if written != len(data):  # pragma: no cover - a full disk mid-line
            raise OSError(f"short write ({written} of {len(data)} bytes)")
    finally:
        os.close(fd)
