"""YAML written again with its comments: ``normalize --write`` and ``migrate --write``.

PyYAML drops comments when it loads a file, so a rewritten YAML file is dumped
afresh and the original's comments are put back, each beside or above the line
it annotated:

* a comment at the end of a line goes with the entry (key, or list item) that line
  holds, or ends: ``steps: 4  # fast`` stays beside ``steps``, wherever the key now is;
* a comment on a line of its own goes with what follows it: the next key or list
  item, or the next document (then it stays before that document's ``---``), or the
  end of the file; a blank line just above it is kept too.

A comment whose entry is gone (a dropped parameter) goes with it; a renamed key
keeps its comments (:func:`renamed` finds its new name). A flow collection is
written in block style, a comment after it beside its last item. Lost as well: a
comment in a block scalar's header (``key: | # x``), and blank lines above no
comment. The result must load to the same values as the text without comments;
when it would not, the text without comments is written, with the leading
comment block, as before.
"""

from __future__ import annotations

import bisect

from validator._tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from validator._problem import Problem
    from validator.files._yaml import Path


class _Place(NamedTuple):
    """A point a comment can hold on to, in file order."""

    line: int  # 1-based
    column: int
    depth: int  # the start of a document before its entries, an entry before its own
    group: int  # the document's index in the stream
    path: Path | None  # None: the start of the document


class _Comment(NamedTuple):
    text: str  # from the ``#`` to the end of the line
    line: int  # 1-based
    own_line: bool  # on a line of its own (else after something)
    gap: str  # the white space before it, at the end of a line
    blank_before: bool  # a blank line just above it (own_line only)


def dump(
    groups: dict[int, Any], original: str, renames: dict[int, dict[Path, Path]] | None = None
) -> str:
    """The YAML text of the documents (by index in ``original``), with its comments.

    ``renames`` gives, per document, the new path of a renamed key (:func:`renamed`):
    its comments follow it. Raises what ``yaml.safe_dump_all`` raises for a value
    YAML cannot hold.
    """
    import yaml  # noqa: PLC0415

    from validator.files._yaml import YamlError  # noqa: PLC0415

    explicit = len(groups) > 1
    try:
        comments = _comments(original) if "#" in original else []
    except yaml.YAMLError:
        comments = []
    if not comments:
        return _dump(list(groups.values()), explicit=explicit)
    # Each document dumped alone: together, byte for byte what they make dumped at once.
    pieces = {group: _dump([value], explicit=explicit) for group, value in groups.items()}
    plain = "".join(pieces.values())
    try:
        places = _places(original)
        text = _place(comments, places, groups, pieces, renames or {}, explicit=explicit)
        if _same(text, groups, plain):
            return text
    except (yaml.YAMLError, YamlError, ValueError, LookupError, RecursionError):
        pass  # the comments cannot be placed: the leading ones are kept, as they always were
    return _header(original) + plain


def _dump(values: list[Any], *, explicit: bool) -> str:
    import yaml  # noqa: PLC0415

    return yaml.safe_dump_all(
        values,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        explicit_start=explicit,
        width=1 << 30,
    )


def _header(original: str) -> str:
    """The leading comment lines: what is kept when nothing more can be."""
    header = []
    for line in original.splitlines():
        if not line.startswith("#"):
            break
        header.append(line + "\n")
    return "".join(header)


def _same(text: str, groups: dict[int, Any], plain: str) -> bool:
    """Whether the text with comments loads to what the text without them does."""
    from validator.files._diff import same_value  # noqa: PLC0415
    from validator.files._yaml import YamlError, load_documents  # noqa: PLC0415

    try:
        ours = [doc.value for doc in load_documents(text)]
        if same_value(ours, list(groups.values())):
            return True
        # What PyYAML writes is not always read back the same (a string of digits
        # that YAML 1.1 takes for text and 1.2 for a number): compare like with like.
        return same_value(ours, [doc.value for doc in load_documents(plain)])
    except YamlError:
        return False


def _comments(text: str) -> list[_Comment]:
    """Every comment of a YAML text: the ``#`` runs between its tokens."""
    import yaml  # noqa: PLC0415

    found: list[_Comment] = []
    end = end_line = 0
    for token in yaml.scan(text, Loader=_loader()):
        start = token.start_mark.index
        if start > end:
            _in_gap(text, end, end_line, start, found)
        if token.end_mark.index > end:
            end, end_line = token.end_mark.index, token.end_mark.line
    if end < len(text):
        _in_gap(text, end, end_line, len(text), found)
    return found


def _loader() -> Any:
    """The loader of libyaml where PyYAML has it: the same tokens and events, faster."""
    import yaml  # noqa: PLC0415

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _in_gap(text: str, start: int, start_line: int, stop: int, found: list[_Comment]) -> None:
    """The comments between two tokens (where nothing else but white space can be).

    ``start_line`` is the 0-based line of ``start``.
    """
    at = text.find("#", start, stop)
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        if line_end < 0:
            line_end = len(text)
        before = text[line_start:at]
        own = not before.strip()
        gap = before[len(before.rstrip()) :]
        line = start_line + text.count("\n", start, at) + 1
        blank = False
        if own and line_start > 0:
            above = text.rfind("\n", 0, line_start - 1) + 1
            blank = not text[above : line_start - 1].strip()
        found.append(_Comment(text[at:line_end].rstrip("\r"), line, own, gap or " ", blank))
        at = text.find("#", line_end, stop)


def _places(text: str) -> list[_Place]:
    """The start of every document and every entry (key, list item), in file order."""
    import yaml  # noqa: PLC0415

    from validator.files._yaml import load_documents  # noqa: PLC0415

    starts = [
        (event.start_mark.line + 1 if event.start_mark is not None else 1)
        for event in yaml.parse(text, Loader=_loader())
        if isinstance(event, yaml.DocumentStartEvent)
    ]
    places: list[_Place] = []
    for group, doc in enumerate(load_documents(text)):
        places.append(_Place(starts[group], 0, -1, group, None))
        places.extend(_Place(*at, len(path), group, path) for path, at in _entries(doc))
    places.sort()
    return places


def _entries(doc: Any) -> list[tuple[Path, tuple[int, int]]]:
    """Each key's position (a mapping's entries) and each list item's, by path."""
    entries = list(doc.keys.items())
    entries.extend(
        (path, at) for path, at in doc.values.items() if path and isinstance(path[-1], int)
    )
    return entries


def _place(
    comments: list[_Comment],
    places: list[_Place],
    groups: dict[int, Any],
    pieces: dict[int, str],
    renames: dict[int, dict[Path, Path]],
    *,
    explicit: bool,
) -> str:
    """The dumped documents with each comment put back beside or above its entry."""
    from validator.files._yaml import load_documents  # noqa: PLC0415

    lines = [place.line for place in places]
    written = sorted(groups)
    # Per document: the lines of its new text, where each entry now starts, and the
    # lines on which entries start (in order).
    new: dict[int, list[str]] = {}
    where: dict[int, dict[Path, int]] = {}
    starts: dict[int, list[int]] = {}
    for group, piece in pieces.items():
        new[group] = piece.splitlines()
        (doc,) = load_documents(piece)
        where[group] = {path: at[0] for path, at in _entries(doc)}
        starts[group] = sorted(set(where[group].values()))
    above: dict[tuple[int, int], list[str]] = {}  # (group, line): own-line comments
    beside: dict[tuple[int, int], list[str]] = {}  # (group, line): end-of-line comments
    before: dict[int, list[str]] = {}  # group: comments before the document
    after: list[str] = []  # comments at the end of the file
    for comment in comments:
        if comment.own_line:
            index = bisect.bisect_right(lines, comment.line)
            anchor = places[index] if index < len(places) else None
        else:
            index = bisect.bisect_right(lines, comment.line) - 1
            anchor = places[index] if index >= 0 else places[0]
        text = comment.text
        if anchor is None:
            after.extend(_with_blank(comment, ""))
            continue
        group = anchor.group
        if anchor.path is None or group not in groups:
            later = bisect.bisect_left(written, group)
            target = written[later] if later < len(written) else None
            if target is None:
                after.extend(_with_blank(comment, ""))
            elif not comment.own_line and explicit and target == group:
                beside.setdefault((group, 1), []).append(comment.gap + text)
            else:
                before.setdefault(target, []).extend(_with_blank(comment, ""))
            continue
        path = renames.get(group, {}).get(anchor.path, anchor.path)
        line = where[group].get(path)
        if line is None:
            continue  # its entry is gone: the comment goes with it
        if comment.own_line:
            indent = _indent(new[group][line - 1])
            above.setdefault((group, line), []).extend(_with_blank(comment, indent))
        else:
            # The entry's last line: the one before the next entry starts.
            following = bisect.bisect_right(starts[group], line)
            ahead = starts[group]
            end = ahead[following] - 1 if following < len(ahead) else len(new[group])
            beside.setdefault((group, end), []).append(comment.gap + text)
    out: list[str] = []
    for group, piece_lines in new.items():
        out.extend(before.get(group, ()))
        for number, text in enumerate(piece_lines, 1):
            out.extend(above.get((group, number), ()))
            out.append(text + "".join(beside.get((group, number), ())))
    out.extend(after)
    if out and not out[0]:
        out.pop(0)  # a blank line above the first comment of the file
    return "\n".join(out) + "\n"


def _with_blank(comment: _Comment, indent: str) -> list[str]:
    return ["", indent + comment.text] if comment.blank_before else [indent + comment.text]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def renamed(before: Any, after: Any, problems: Iterable[Problem]) -> dict[str, str]:
    """The keys of a request that a rewrite renamed: old name to new, from its problems.

    A renamed key keeps its place among the keys that stay (normalize and migrate
    both rename in place), so its new name is the new key found at that place.
    """
    if type(before) is not dict or type(after) is not dict:
        return {}
    olds = {
        problem.param
        for problem in problems
        if problem.code == "renamed_parameter" and problem.param in before
    }
    if not olds:
        return {}
    names: dict[str, str] = {}
    keys = list(after)
    place = 0
    for key in before:
        if key in olds and place < len(keys) and keys[place] not in before:
            names[key] = keys[place]
        if key in after or key in olds:
            place += 1
    return names
