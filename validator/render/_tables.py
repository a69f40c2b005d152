"""The compatibility matrix in the seed's notation, as data, and its markdown, CSV and JSON forms.

Notation (the seed's, Together's *Image generation parameters* page): ``Required``;
``✓`` taken; ``✓ (default N)`` taken, with a default of this model's own (a default
every model shares, such as ``n`` 1, is not repeated in each cell); ``—`` not taken.

Rows: the seed's twelve rows in the seed's order, ``width`` / ``height`` on one row,
always present; then every other parameter that at least one column's model takes,
in the order capabilities.yaml defines them. Columns: one per model, in the order
asked for, under its short display name; consecutive models whose columns are
identical and whose names differ only in the last word share one column, as the
seed's "Kontext Pro/Max" does.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any, Final

from validator._problem import number
from validator._tuples import NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from validator.spec._spec import Model, Spec

REQUIRED: Final = "Required"
TAKEN: Final = "✓"
NOT_TAKEN: Final = "—"
PARAMETER_HEADER: Final = "Parameter"

SEED_ROWS: Final[tuple[tuple[str, ...], ...]] = (
    ("prompt",),
    ("width", "height"),
    ("aspect_ratio",),
    ("steps",),
    ("guidance_scale",),
    ("n",),
    ("seed",),
    ("negative_prompt",),
    ("prompt_upsampling",),
    ("response_format",),
    ("output_format",),
    ("disable_safety_checker",),
)
"""The seed table's rows, in its order."""

SEED_MODELS: Final[tuple[str, ...]] = (
    "black-forest-labs/FLUX.1-schnell",
    "black-forest-labs/FLUX.1.1-pro",
    "black-forest-labs/FLUX.2-pro",
    "black-forest-labs/FLUX.2-dev",
    "black-forest-labs/FLUX.2-flex",
    "black-forest-labs/FLUX.1-kontext-pro",
    "black-forest-labs/FLUX.1-kontext-max",
)
"""The seed table's seven models, in its column order (the README's table)."""


class Column(NamedTuple):
    """One column of the matrix: its header and the model ids it stands for."""

    header: str
    models: tuple[str, ...]


class Row(NamedTuple):
    """One row: the parameters it covers and one cell per column."""

    params: tuple[str, ...]
    cells: tuple[str, ...]

    @property
    def label(self) -> str:
        """``width / height``."""
        return " / ".join(self.params)

    @property
    def markdown_label(self) -> str:
        """``\\`width\\` / \\`height\\```, as the seed writes it."""
        return " / ".join(f"`{p}`" for p in self.params)


class Matrix(NamedTuple):
    """The compatibility matrix: columns, and rows of cells."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def cell(model: Model, param: str) -> str:
    """The seed-notation cell for one model and one parameter."""
    taken = model.params.get(param)
    if taken is None:
        return NOT_TAKEN
    if taken.required:
        return REQUIRED
    if taken.has_default and taken.model_default:
        return f"{TAKEN} (default {literal(taken.default)})"
    return TAKEN


def literal(value: Any) -> str:
    """A value as the docs print it: numbers plainly, anything else as JSON."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return json.dumps(value, ensure_ascii=False)


def _row_cell(model: Model, params: tuple[str, ...]) -> str:
    cells = [cell(model, p) for p in params]
    return cells[0] if len(set(cells)) == 1 else " / ".join(cells)


def row_params(spec: Spec, models: Sequence[Model]) -> list[tuple[str, ...]]:
    """The rows for these models: the seed's, then the other parameters someone takes."""
    rows = list(SEED_ROWS)
    seen = {p for row in SEED_ROWS for p in row}
    # Every endpoint's names, the image API's first; a row is per name, and each
    # model's cell reads its own endpoint's parameter of that name.
    names = dict.fromkeys(name for namespace in spec.namespaces.values() for name in namespace)
    rows.extend(
        (name,) for name in names if name not in seen and any(name in m.params for m in models)
    )
    return rows


def build(spec: Spec, models: Sequence[Model], *, merge: bool = True) -> Matrix:
    """The matrix for ``models`` (in that order).

    Args:
        spec: The spec the models come from (it orders the rows beyond the seed's).
        models: The columns' models, in column order.
        merge: Let consecutive models with identical columns share one column.

    Returns:
        The matrix, ready for any renderer.
    """
    params = row_params(spec, models)
    per_model = [tuple(_row_cell(m, row) for row in params) for m in models]
    groups: list[tuple[list[Model], tuple[str, ...]]] = []
    for model, cells in zip(models, per_model, strict=True):
        if merge and groups and groups[-1][1] == cells and _mergeable(groups[-1][0][0], model):
            groups[-1][0].append(model)
        else:
            groups.append(([model], cells))
    columns = tuple(
        Column(_header([m.short_name for m in group]), tuple(m.id for m in group))
        for group, _ in groups
    )
    rows = tuple(
        Row(row, tuple(cells[index] for _, cells in groups)) for index, row in enumerate(params)
    )
    return Matrix(columns, rows)


def _head_tail(name: str) -> tuple[str, str]:
    head, _, tail = name.rpartition(" ")
    return head, tail


def _mergeable(first: Model, other: Model) -> bool:
    """Whether ``other`` can join ``first``'s column: "Kontext Pro" + "Kontext Max"."""
    head, tail = _head_tail(first.short_name)
    other_head, other_tail = _head_tail(other.short_name)
    names = (first.short_name, other.short_name)
    return bool(head) and head == other_head and tail != other_tail and "/" not in "".join(names)


def _header(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    head = _head_tail(names[0])[0]
    return head + " " + "/".join(_head_tail(n)[1] for n in names)


# --- renderers -------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _center(text: str, width: int) -> str:
    pad = width - len(text)
    left = (pad + 1) // 2
    return " " * left + text + " " * (pad - left)


def render_markdown(matrix: Matrix) -> str:
    """A GitHub table laid out as the seed's: padded, model columns centred."""
    header = [PARAMETER_HEADER, *(_escape(c.header) for c in matrix.columns)]
    body = [[_escape(row.markdown_label), *(_escape(c) for c in row.cells)] for row in matrix.rows]
    widths = [max(3, *(len(line[i]) for line in [header, *body])) for i in range(len(header))]

    def line(cells: Iterable[str]) -> str:
        parts = []
        for index, text in enumerate(cells):
            fitted = text.ljust(widths[index]) if index == 0 else _center(text, widths[index])
            parts.append(fitted)
        return "| " + " | ".join(parts) + " |"

    rule = "| " + " | ".join(
        "-" * w if i == 0 else ":" + "-" * (w - 2) + ":" for i, w in enumerate(widths)
    )
    lines = [line(header), rule + " |", *(line(cells) for cells in body)]
    return "\n".join(lines) + "\n"


def render_csv(matrix: Matrix) -> str:
    """RFC 4180 CSV: a header row, then one row per parameter row (``width / height``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([PARAMETER_HEADER.lower(), *(c.header for c in matrix.columns)])
    for row in matrix.rows:
        writer.writerow([row.label, *row.cells])
    return out.getvalue()


def as_data(matrix: Matrix) -> dict[str, Any]:
    """The matrix as plain JSON data."""
    return {
        "columns": [{"header": c.header, "models": list(c.models)} for c in matrix.columns],
        "rows": [
            {"parameter": row.label, "params": list(row.params), "cells": list(row.cells)}
            for row in matrix.rows
        ],
    }


def render_json(matrix: Matrix) -> str:
    """The matrix as JSON: ``{"columns": [{header, models}], "rows": [{parameter, cells}]}``."""
    return json.dumps(as_data(matrix), indent=2, ensure_ascii=False) + "\n"


RENDERERS: Final = {"markdown": render_markdown, "csv": render_csv, "json": render_json}
"""Renderers by ``--format`` name."""
