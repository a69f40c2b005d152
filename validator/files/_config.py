"""Configuration: ``capspec.toml``, or ``[tool.capspec]`` in ``pyproject.toml``.

The file is found by walking up from the current folder; in each folder
``capspec.toml`` comes first, then a ``pyproject.toml`` that has a
``[tool.capspec]`` table (one without it is passed over, as ruff does). The
first found is the only one read. Paths in it (``spec``, and the patterns of
``include``, ``exclude`` and ``per-file-ignores``) are relative to its folder.

Every key and every problem code is checked: a mistake is a ``ConfigError``
naming the file and the line, never a silent default.
"""

from __future__ import annotations

import os
import re

from validator._problem import CODES, listing, quote
from validator._tuples import NamedTuple
from validator.files._ignore import PatternSet, compile_pattern
from validator.files._paths import join, lineage, pure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

CONFIG_NAMES: Final = ("capspec.toml", "pyproject.toml")
POLICY_NAMES: Final = ("strict", "drop", "fix")
#: Every key, with what its value must be (for messages).
KEYS: Final[dict[str, str]] = {
    "select": "a list of problem codes (or ALL)",
    "ignore": "a list of problem codes",
    "per-file-ignores": "a table of patterns, each a list of problem codes",
    "include": "a list of path patterns",
    "exclude": "a list of path patterns",
    "policy": "one of strict, drop, fix",
    "warnings-as-errors": "true or false",
    "spec": "a path to a capability spec",
    "jobs": 'a number of processes (1 or more), or 0 or "auto" for one per CPU',
}


class ConfigError(Exception):
    """A configuration that cannot be used: ``file:line: message``."""

    def __init__(self, path: str | os.PathLike[str], line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class Config(NamedTuple):
    """The settings of one configuration file (or none: every field at its default)."""

    path: str | None = None  # the file read
    base: str = "."  # the folder patterns and the spec path are relative to
    select: tuple[str, ...] | None = None  # None: every code
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    policy: str | None = None
    warnings_as_errors: bool | None = None
    spec: str | None = None  # absolute, or relative to the current folder
    jobs: int | None = None  # processes for lint; 0: one per CPU


def find_config(start: str | os.PathLike[str]) -> str | None:
    """The configuration file that applies in ``start``: the nearest, capspec.toml first."""
    for folder in lineage(pure(start)):
        candidate = os.path.join(folder, "capspec.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return candidate
    return None


def _has_tool_table(path: str) -> bool:
    """Whether a pyproject.toml has ``[tool.capspec]``; one that is not TOML, if it names it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    if "capspec" not in text:
        return False
    import tomllib  # noqa: PLC0415 - start-up: only when a file may hold settings

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # load_config says what is wrong, and where
    tool = data.get("tool")
    return isinstance(tool, dict) and "capspec" in tool


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and check one configuration file; ``ConfigError`` names the file and line."""
    path = pure(path)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        raise ConfigError(path, 1, f"cannot read it: {why}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, 1, "not UTF-8") from None
    import tomllib  # noqa: PLC0415 - start-up: only when there is a file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        message = getattr(exc, "msg", None) or str(exc).split(" (at ", 1)[0]
        raise ConfigError(path, line, f"not valid TOML: {message}") from None
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("capspec", {})
        prefix: tuple[str, ...] = ("tool", "capspec")
    else:
        table = data
        prefix = ()
    return _Checker(path, text, prefix).check(table)


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


class _Checker:
    """Checks a table's keys and values, and finds the line of whatever is wrong."""

    def __init__(self, path: str, text: str, prefix: tuple[str, ...]) -> None:
        self.path = path
        self.text = text
        self.prefix = prefix

    def fail(self, keys: tuple[str, ...], message: str, value: str | None = None) -> ConfigError:
        line = key_line(self.text, self.prefix + keys, value)
        return ConfigError(self.path, line, message)

    def name(self, key: str) -> str:
        return ".".join((*self.prefix, key)) if self.prefix else key

    def check(self, table: Any) -> Config:
        if not isinstance(table, dict):
            raise self.fail((), f"{'.'.join(self.prefix)} must be a table")
        for key in table:
            if key not in KEYS:
                hint = _closest(key, list(KEYS))
                known = f"did you mean {quote(hint)}?" if hint else f"known: {listing(list(KEYS))}"
                raise self.fail((key,), f"unknown key {quote(self.name(key))} ({known})")
        base = os.path.dirname(self.path) or "."
        select = table.get("select")
        spec = table.get("spec")
        if spec is not None:
            if not isinstance(spec, str) or not spec:
                raise self.fail(("spec",), f"{self.name('spec')} must be {KEYS['spec']}")
            spec = join(base, spec)
        policy = table.get("policy")
        if policy is not None and policy not in POLICY_NAMES:
            raise self.fail(("policy",), f"{self.name('policy')} must be {KEYS['policy']}")
        wae = table.get("warnings-as-errors")
        if wae is not None and not isinstance(wae, bool):
            raise self.fail(
                ("warnings-as-errors",),
                f"{self.name('warnings-as-errors')} must be {KEYS['warnings-as-errors']}",
            )
        jobs = table.get("jobs")
        if jobs == "auto":
            jobs = 0
        elif jobs is not None and (type(jobs) is not int or jobs < 0):
            raise self.fail(("jobs",), f"{self.name('jobs')} must be {KEYS['jobs']}")
        return Config(
            path=self.path,
            base=base,
            select=None if select is None else self.codes("select", select, all_ok=True),
            ignore=self.codes("ignore", table.get("ignore", [])),
            per_file_ignores=self.per_file(table.get("per-file-ignores", {})),
            include=self.patterns("include", table.get("include", [])),
            exclude=self.patterns("exclude", table.get("exclude", [])),
            policy=policy,
            warnings_as_errors=wae,
            spec=spec,
            jobs=jobs,
        )

    def strings(self, keys: tuple[str, ...], value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            what = KEYS.get(keys[0], "a list of strings")
            raise self.fail(keys, f"{'.'.join((*self.prefix, *keys))} must be {what}")
        return tuple(value)

    def codes(self, key: str, value: Any, *, all_ok: bool = False) -> tuple[str, ...]:
        return check_codes(self.strings((key,), value), all_ok=all_ok, fail=self.code_error((key,)))

    def code_error(self, keys: tuple[str, ...]) -> Any:
        def fail(code: str, message: str) -> ConfigError:
            return self.fail(keys, message, code)

        return fail

    def patterns(self, key: str, value: Any) -> tuple[str, ...]:
        patterns = self.strings((key,), value)
        for pattern in patterns:
            try:
                compile_pattern(pattern)
            except ValueError as exc:
                raise self.fail((key,), f"{self.name(key)}: {exc}", pattern) from None
        return patterns

    def per_file(self, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        key = "per-file-ignores"
        if not isinstance(value, dict):
            raise self.fail((key,), f"{self.name(key)} must be {KEYS[key]}")
        out = []
        for pattern, codes in value.items():
            try:
                compile_pattern(pattern)
            except ValueError as exc:
                raise self.fail((key, pattern), f"{self.name(key)}: {exc}") from None
            listed = self.strings((key, pattern), codes)
            out.append((pattern, check_codes(listed, fail=self.code_error((key, pattern)))))
        return tuple(out)


def check_codes(codes: tuple[str, ...], *, all_ok: bool = False, fail: Any) -> tuple[str, ...]:
    """The codes, each known (or ALL where allowed); ``fail(code, message)`` makes the error."""
    for code in codes:
        if code in CODES or (all_ok and code == "ALL"):
            continue
        hint = _closest(code, list(CODES))
        more = f"; did you mean {quote(hint)}?" if hint else "; `capspec rule --all` lists them"
        raise fail(code, f"unknown problem code {quote(code)}{more}")
    return codes


def _closest(word: str, choices: list[str]) -> str | None:
    import difflib  # noqa: PLC0415

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


# --- lines ------------------------------------------------------------------------------

# Patterns, compiled (by re, once) when a configuration has a mistake to locate.
_HEADER: Final = r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$"
_KEY_PART: Final = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_KEY: Final = rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*="


def _parts(dotted: str) -> tuple[str, ...]:
    out = []
    for match in re.finditer(_KEY_PART, dotted):
        part = match.group()
        out.append(part[1:-1] if part[:1] in {'"', "'"} else part)
    return tuple(out)


def key_line(text: str, keys: tuple[str, ...], value: str | None = None) -> int:
    """The 1-based line defining ``keys`` (or the nearest table or key above it), or of ``value``.

    tomllib gives no positions; table headers and ``key =`` lines are enough to
    point at what is wrong. With ``value``, the first line from the key on that
    holds it as a quoted string.
    """
    lines = text.splitlines()
    table: tuple[str, ...] = ()
    best, best_depth = 1, -1
    for number, line in enumerate(lines, 1):
        header = re.match(_HEADER, line)
        if header:
            table = _parts(header.group(1))
            full = table
        else:
            key = re.match(_KEY, line)
            if not key:
                continue
            full = table + _parts(key.group(1))
        depth = _common(full, keys)
        if depth > best_depth and depth == min(len(full), len(keys)) and depth:
            best, best_depth = number, depth
    if not keys:
        best = 1
    if value is not None:
        quoted = (f'"{value}"', f"'{value}'")
        for number in range(best, len(lines) + 1):
            if any(q in lines[number - 1] for q in quoted):
                return number
    return best


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    depth = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        depth += 1
    return depth


# --- what the settings mean ---------------------------------------------------------------


class RuleFilter:
    """Which problem codes are reported, for which files: select, ignore, per-file-ignores."""

    def __init__(
        self,
        base: str | os.PathLike[str],
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> None:
        chosen = set(CODES) if select is None or "ALL" in select else set(select)
        self.codes = frozenset(chosen - set(ignore))
        self.per_file = [(PatternSet(base, [p]), frozenset(c)) for p, c in per_file_ignores]
        self.everything = self.codes == set(CODES) and not self.per_file

    def for_file(self, path: str | os.PathLike[str] | None) -> frozenset[str]:
        """The codes reported for one file (``path`` absolute; None for standard input)."""
        if path is None or not self.per_file:
            return self.codes
        codes = self.codes
        for patterns, ignored in self.per_file:
            if patterns.match(path):
                codes -= ignored
        return codes
