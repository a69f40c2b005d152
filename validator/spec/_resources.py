"""Where the bundled spec, its schema and the generated schemas live.

Held as strings (``os.path``), not pathlib: the spec's place is looked up on
every start (``capspec lint FILE``), and importing pathlib costs about a tenth
of that command (docs/decisions.md, Start-up). The functions that return a
``Path`` import pathlib when called.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

_HERE = os.path.dirname(os.path.realpath(__file__))
_PACKAGE = os.path.dirname(_HERE)
# An installed wheel carries them in validator/_data; a source checkout (or an
# editable install) keeps them at the repository root, one level above the package.
_DATA = os.path.join(_PACKAGE, "_data")
_ROOT = os.path.dirname(_PACKAGE)


def spec_file() -> str:
    """The bundled capabilities.yaml, as a string (what ``spec_path`` returns as a Path)."""
    packaged = os.path.join(_DATA, "capabilities.yaml")
    return packaged if os.path.isfile(packaged) else os.path.join(_ROOT, "capabilities.yaml")


def spec_path() -> Path:
    """The bundled capabilities.yaml."""
    from pathlib import Path  # noqa: PLC0415 - not on the lint path (spec_file is)

    return Path(spec_file())


def schemas_dir() -> Path:
    """The bundled directory of generated JSON Schemas."""
    from pathlib import Path  # noqa: PLC0415 - not on the lint path

    packaged = os.path.join(_DATA, "schemas")
    return Path(packaged if os.path.isdir(packaged) else os.path.join(_ROOT, "schemas"))


def spec_schema_path() -> Path:
    """The JSON Schema that capabilities.yaml itself must satisfy."""
    from pathlib import Path  # noqa: PLC0415 - not on the lint path

    return Path(_HERE, "capspec.schema.json")
