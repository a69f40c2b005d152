"""Where the bundled spec, its schema and the generated schemas live."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_PACKAGE = _HERE.parent
# An installed wheel carries them in validator/_data; a source checkout (or an
# editable install) keeps them at the repository root, one level above the package.
_DATA = _PACKAGE / "_data"
_ROOT = _PACKAGE.parent


def spec_path() -> Path:
    """The bundled capabilities.yaml."""
    packaged = _DATA / "capabilities.yaml"
    return packaged if packaged.is_file() else _ROOT / "capabilities.yaml"


def schemas_dir() -> Path:
    """The bundled directory of generated JSON Schemas."""
    packaged = _DATA / "schemas"
    return packaged if packaged.is_dir() else _ROOT / "schemas"


def spec_schema_path() -> Path:
    """The JSON Schema that capabilities.yaml itself must satisfy."""
    return _HERE / "capspec.schema.json"
