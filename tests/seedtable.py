"""Parse the seed's model compatibility table (tests/data/seed-000-parameters.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parent / "data" / "seed-000-parameters.md"


@dataclass(frozen=True)
class Cell:
    supported: bool
    required: bool
    default: int | None


@dataclass(frozen=True)
class SeedTable:
    columns: list[str]  # header names as written ("Kontext Pro/Max")
    rows: list[str]  # parameter cells as written ("`width` / `height`")
    cells: dict[tuple[str, str], Cell]  # (row, column) -> cell
    text: list[list[str]]  # raw cell text, row by row

    def params(self, row: str) -> list[str]:
        """`width` / `height` -> [width, height]."""
        return re.findall(r"`([a-z_]+)`", row)


def parse_cell(text: str) -> Cell:
    text = text.strip()
    if text == "Required":
        return Cell(True, True, None)
    if text == "—":
        return Cell(False, False, None)
    match = re.fullmatch(r"✓(?: \(default (\d+)\))?", text)
    assert match, f"unexpected cell {text!r}"
    return Cell(True, False, int(match.group(1)) if match.group(1) else None)


def load() -> SeedTable:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Model compatibility")
    table: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break  # the first line after the table ends it
    split = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table]
    header, body = split[0], split[2:]
    columns = header[1:]
    cells = {}
    rows = []
    for row in body:
        rows.append(row[0])
        for column, text in zip(columns, row[1:], strict=True):
            cells[(row[0], column)] = parse_cell(text)
    return SeedTable(columns, rows, cells, list(body))


def column_names(column: str) -> list[str]:
    """'Kontext Pro/Max' -> ['Kontext Pro', 'Kontext Max']; 'FLUX.2 Dev' -> ['FLUX.2 Dev']."""
    if "/" not in column:
        return [column]
    head, _, tail = column.rpartition(" ")
    return [f"{head} {part}" for part in tail.split("/")]


def models_for(column: str, spec) -> list[str]:
    """Model ids whose display (or short) name matches a seed column."""
    found = []
    for name in column_names(column):
        ids = [m.id for m in spec.models.values() if name in {m.name, m.short_name}]
        assert len(ids) == 1, f"seed column {column!r}: no single model named {name!r} ({ids})"
        found.extend(ids)
    return found
