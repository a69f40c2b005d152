"""The request-document rule: which files found in a walk hold requests.

A repository is full of JSON and YAML that is not a request: package.json,
tsconfig.json, workflows, compose files, the pre-commit configuration. Files
named on the command line are always checked; files found by walking a folder
(or named under ``--force-exclude``, as the pre-commit hook does) are checked
only when they hold requests:

* a request is an object with a ``model`` key, or with a ``prompt`` key and at
  least one other key the API knows (a parameter, an old name, or a name from
  another image API such as ``size`` or ``num_inference_steps``);
* a file holds requests when its top-level value is one, or a list holding one
  (a YAML file: any of its documents; JSONL: any of its first 100 lines);
* a file that cannot be parsed holds requests when its text has a ``model``
  key (``"model":`` or ``model:``), so a broken request file is still reported;
* a path matched by ``include`` holds requests whatever it contains.

Files passed over are counted in the summary (``2 skipped: no requests``).
"""

from __future__ import annotations

import itertools
import re

from validator.files._decode import Broken
from validator.files._payloads import Request

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, Final, TypeVar

    from validator.files._sources import Source
    from validator.spec._spec import Spec

    #: What a file yields: ``Item`` values, or (normalize) those and the lines between them.
    _T = TypeVar("_T")

#: How many requests (JSONL lines, list items) are looked at before giving up on a file.
LOOKAHEAD: Final = 100
_UNPARSED: Final = frozenset({"invalid_json", "invalid_yaml", "invalid_encoding", "too_large"})
_MODEL_KEY: Final = re.compile(rb"""(?m)(?:^|[{,\s])["']?model["']?\s*:""")
_PEEK: Final = 1 << 20


def request_names(spec: Spec) -> frozenset[str]:
    """The keys that, beside ``prompt``, make an object a request."""
    return frozenset(spec.parameters) | frozenset(spec.aliases) | frozenset(spec.foreign_names)


def is_request(value: Any, names: frozenset[str]) -> bool:
    """Whether one value looks like a request (see the module's rule)."""
    if type(value) is not dict:
        return False
    if "model" in value:
        return True
    return "prompt" in value and any(key in names for key in value if key != "prompt")


def requests_in(
    items: Iterator[_T], source: Source, names: frozenset[str], data: bytes | None = None
) -> Iterator[_T] | None:
    """``items`` (all of them) if the source holds requests, else None (nothing reported).

    Items are read ahead only until the question is settled; what was read is
    given back first, so the caller sees every item once, in order. ``data``, the
    file's bytes when the caller holds them, spares reading a file that cannot be
    parsed again to look for a ``model`` key.
    """
    seen: list[_T] = []
    requests = 0
    for item in items:
        seen.append(item)
        if isinstance(item, Request):
            if is_request(item.value, names):
                return itertools.chain(seen, items)
            requests += 1
            if requests >= LOOKAHEAD:
                return None
        elif isinstance(item, Broken) and item.code in _UNPARSED and not requests:
            return itertools.chain(seen, items) if _mentions_model(source, data) else None
    return None


def _mentions_model(source: Source, data: bytes | None = None) -> bool:
    """Whether a file that cannot be parsed has a ``model`` key in its first megabyte."""
    if data is not None:
        return bool(_MODEL_KEY.search(data, 0, _PEEK))
    if source.path is None:
        return True
    from validator.files._sources import open_regular  # noqa: PLC0415

    try:
        with open_regular(source.path) as handle:
            head = handle.read(_PEEK)
    except OSError:
        return True  # the reading problem is worth reporting
    return bool(_MODEL_KEY.search(head))
