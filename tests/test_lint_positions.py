"""Where lint puts a finding in a big log, and what the fast ways of getting there must keep.

A request whose only problem is its model's lifecycle (deprecated, retired) stays on the
fast path and is located by scanning no further than its model key; positions are
scanned lazily and kept per text; reporters render each problem once. None of it may
change a byte of output: these tests hold each shortcut to the long way round.
"""

from __future__ import annotations

import io
import json

from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st
from test_fast_arrays import assert_clean_agrees_and_is_copied

import validator
from validator._problem import Problem
from validator.check import _validate
from validator.cli._app import cli
from validator.files._locate import LazyPositions, find, scan_json, top_level_key
from validator.render._report import Finding, GithubReporter, JsonReporter, Summary, TextReporter

from strategies import SCALARS

SPEC = validator.load_spec()
SCHNELL = "black-forest-labs/FLUX.1-schnell"  # retired, still answered: a warning


def old(template: str) -> str:
    """A JSONL line with SCHNELL for each @."""
    return template.replace("@", SCHNELL)


def lint_json(tmp_path, text: str, name: str = "log.jsonl") -> list[tuple[int, int, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--isolated", "--format", "json", str(path)])
    report = json.loads(result.stdout)
    return [(p["line"], p["column"], p["code"]) for p in report["problems"]]


# --- a lifecycle warning on a JSONL line -------------------------------------------------


def test_a_retired_models_warning_is_at_its_model_key_on_each_line(tmp_path):
    lines = [
        old('{"model": "@", "prompt": "a"}'),
        old('   {"prompt": "a", "model": "@"}'),  # not first, after blanks
        old('{"prompt": "say \\"model\\": here", "model": "@"}'),  # "model" in a string
        old('{"prompt":"a","seed":1,"model":"@"}'),
        "",
        old('{"m\\u006fdel": "@", "prompt": "a"}'),  # the key written with an escape
        '{"model": "black-forest-labs/FLUX.2-dev", "prompt": "a"}',  # active: nothing
    ]
    assert lint_json(tmp_path, "\n".join(lines) + "\n") == [
        (1, 2, "retired_model"),
        (2, 20, "retired_model"),
        (3, 35, "retired_model"),
        (4, 24, "retired_model"),
        (6, 2, "retired_model"),
    ]


def test_a_retired_model_with_an_error_reports_both_in_column_order(tmp_path):
    line = old('{"steps": 99, "model": "@", "prompt": "a"}\n')
    assert lint_json(tmp_path, line) == [(1, 2, "out_of_range"), (1, 15, "retired_model")]
    line = old('{"model": "@", "prompt": "a", "steps": 99}\n')
    assert lint_json(tmp_path, line * 2) == [
        (1, 2, "retired_model"),
        (1, 62, "out_of_range"),
        (2, 2, "retired_model"),
        (2, 62, "out_of_range"),
    ]


def test_a_retired_model_repeating_a_key_is_located_at_the_last_one(tmp_path):
    line = old('{"model": "@", "prompt": "a", "model": "@"}\n')
    assert lint_json(tmp_path, line) == [(1, 62, "duplicate_key"), (1, 62, "retired_model")]


def test_each_request_of_a_retired_model_is_reported_once(tmp_path):
    line = old('{"model": "@", "prompt": "a"}\n')
    found = lint_json(tmp_path, line * 1000)
    assert found == [(n, 2, "retired_model") for n in range(1, 1001)]


def test_a_long_line_locates_each_problem_where_the_whole_scan_does(tmp_path):
    # Past 16 KB a line is scanned once for all its problems, not matched once for each.
    prompt = 'a\\"b' * 10_000
    line = old('{"model": "@", "prompt": "' + prompt + '", "steps": 99, "widht": 1, "n": 9}')
    whole = scan_json(line)
    assert lint_json(tmp_path, line + "\n" + line + "\n") == [
        (number, whole.keys[(key,)][1], code)
        for number in (1, 2)
        for key, code in (
            ("model", "retired_model"),
            ("steps", "out_of_range"),
            ("widht", "unknown_parameter"),
            ("n", "out_of_range"),
        )
    ]


def test_a_json_array_locates_each_requests_model_key(tmp_path):
    text = json.dumps([{"prompt": "a", "model": SCHNELL}] * 3, indent=2)
    found = lint_json(tmp_path, text, "batch.json")
    assert found == [(4, 5, "retired_model"), (8, 5, "retired_model"), (12, 5, "retired_model")]


# --- lazy positions answer what the whole scan answers ----------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text('ab"\\\n é', max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "model", 'q"', "é"]), inner, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@given(value=JSON_VALUES, indent=st.sampled_from([None, 2]), line=st.integers(1, 3))
@example(value={"a": {"model": 1}, "model": 2}, indent=None, line=1)
def test_lazy_positions_find_what_the_whole_scan_finds(value, indent, line):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    whole = scan_json(text, line=line)
    asked = [*_paths(value), ("nowhere",), ("a", "nowhere", 3)]
    lazy = LazyPositions(text, line)
    for path in asked:  # one text, many questions: later ones resume the scan
        assert lazy.find((), path, None) == find(whole.keys, whole.values, (), path, None)
    for path in asked:  # a fresh scan for each question
        fresh = LazyPositions(text, line).find((), path, None)
        assert fresh == find(whole.keys, whole.values, (), path, None)
    assert lazy.complete().keys == whole.keys
    assert lazy.complete().values == whole.values


@given(
    value=st.dictionaries(
        st.sampled_from(["a", "b", "model", 'q"', "é", "n\\", ""]), JSON_VALUES, max_size=5
    ),
    ascii_only=st.booleans(),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (" ,  ", " :\t")]),
    lead=st.sampled_from(["", "  ", "\t"]),
)
@example(value={"a": [{"n": 1}], "n": 2}, ascii_only=False, separators=(", ", ": "), lead="")
def test_a_top_level_key_is_found_where_the_whole_scan_finds_it(
    value, ascii_only, separators, lead
):
    text = lead + json.dumps(value, ensure_ascii=ascii_only, separators=separators) + "\n"
    whole = scan_json(text, line=7)
    for key in [*value, "absent", "a b"]:
        at = top_level_key(text, key)
        if key in value:
            assert (7, at + 1) == whole.keys[(key,)]
        else:
            assert at == 0


def test_lazy_positions_take_the_last_of_a_repeated_key_when_asked():
    text = '{"model": 1, "model": 2}'
    assert LazyPositions(text).find((), ("model",), None) == (1, 2)
    assert LazyPositions(text).find((), ("model",), None, last=True) == (1, 14)


# --- the fast path for object parameters (Kling's media) ---------------------------------

OBJECT_MODELS = sorted(
    (model_id, name)
    for model_id, model in SPEC.models.items()
    for name, param in model.params.items()
    if param.schema.type == "object"
)
FRAMES = st.lists(
    st.one_of(
        SCALARS,
        st.dictionaries(
            st.sampled_from(["input_image", "frame", "x"]), SCALARS, min_size=0, max_size=3
        ),
    ),
    max_size=3,
)
MEDIA = st.one_of(
    SCALARS,
    st.dictionaries(
        st.sampled_from(["frame_images", "reference_images", "source_video", "x"]),
        st.one_of(SCALARS, FRAMES, st.lists(SCALARS, max_size=2)),
        max_size=3,
    ),
)


def test_kling_media_has_a_fast_entry():
    assert ("kwaivgI/kling-2.1-pro", "media") in OBJECT_MODELS
    checker = _validate.checker_for(SPEC, "kwaivgI/kling-2.1-pro")
    assert checker.fast["media"][0] is dict
    request = {
        "model": "kwaivgI/kling-2.1-pro",
        "prompt": "the camera pulls back",
        "media": {"frame_images": [{"input_image": "https://e.x/a.jpeg", "frame": "first"}]},
    }
    assert checker.is_clean(request)
    assert not checker.is_clean({**request, "media": {}})  # a keyframe is required
    assert [p.code for p in checker.problems({**request, "media": {}})] == ["missing_required"]


@given(case=st.sampled_from(OBJECT_MODELS), media=MEDIA)
@example(
    case=("kwaivgI/kling-2.1-pro", "media"),
    media={"frame_images": [{"input_image": "a", "frame": True}]},
)
@example(
    case=("kwaivgI/kling-2.1-pro", "media"),
    media={"frame_images": [{"input_image": "a"}] * 3},  # more than the advised two
)
@example(case=("kwaivgI/kling-2.1-pro", "media"), media={"source_video": {"video": "a"}})
def test_a_clean_object_has_no_problem_and_normalize_copies_it(case, media):
    model_id, name = case
    assert_clean_agrees_and_is_copied(model_id, name, media, "x")


# --- reporters: each problem rendered once, byte for byte as before ------------------------

TEXTS = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["\ud800", 'q"\\', "é\n\t"]))
FINDINGS = st.builds(
    Finding,
    file=st.sampled_from(["a.jsonl", 'o"dd, name:%.json', "caf\u00e9.json", "\udcff.json"]),
    document=st.one_of(st.none(), st.integers(0, 10**6)),
    line=st.integers(1, 10**6),
    column=st.integers(1, 500),
    problem=st.builds(
        Problem,
        code=st.sampled_from(["retired_model", "out_of_range", "invalid_json"]),
        severity=st.sampled_from(["error", "warning"]),
        param=TEXTS,
        path=st.text(max_size=10),
        message=st.text(max_size=20),
        hint=TEXTS,
    ),
    model=TEXTS,
)


@given(findings=st.lists(FINDINGS, max_size=6), repeat=st.integers(1, 3))
def test_reporters_render_findings_as_the_plain_formulas_do(findings, repeat):
    findings = findings * repeat  # the same problems again: the caches answer
    summary = Summary(1, len(findings), 0, 0, ok=True)
    out = io.StringIO()
    reporter = JsonReporter(out)
    reporter.BATCH = 2  # several batches, a comma between each
    for finding in findings:
        reporter.report(finding)
    reporter.close(summary)
    report = out.getvalue()
    lines = [
        "    "
        + json.dumps(f.to_dict(), ensure_ascii=False)
        + ("," if i < len(findings) - 1 else "")
        for i, f in enumerate(findings)
    ]
    if findings:
        body = report.split('  "problems": [\n', 1)[1].rsplit("\n  ]\n}\n", 1)[0]
        assert body.encode("utf-8", "backslashreplace") == "\n".join(lines).encode(
            "utf-8", "backslashreplace"
        )
    for color in (False, True):
        out = io.StringIO()
        text = TextReporter(out, color=color, quiet=True)
        for finding in findings:
            text.report(finding)
        expected = []
        for f in findings:
            p = f.problem
            where = text.paint(f"{f.file}:{f.line}:{f.column}:", "file")
            hint = text.paint(f" (hint: {p.hint})", "hint") if p.hint else ""
            severity = text.paint(p.severity, p.severity)
            expected.append(f"{where} {severity} {text.paint(p.code, 'code')} {p.message}{hint}\n")
        assert out.getvalue() == "".join(expected)
    out = io.StringIO()
    github = GithubReporter(out)
    for finding in findings:
        github.report(finding)
    assert out.getvalue() == "".join(_github(f) for f in findings)


def _github(finding: Finding) -> str:
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    p = finding.problem
    props = (
        f"file={prop(finding.file)},line={finding.line},col={finding.column},title={prop(p.code)}"
    )
    message = f"{p.message} (hint: {p.hint})" if p.hint else p.message
    return f"::{p.severity} {props}::{data(message)}\n"
