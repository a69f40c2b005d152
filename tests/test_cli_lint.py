"""``capspec lint``: the bad-file catalogue, every option, every reporter's exact output.

Golden outputs live in tests/golden/ (inputs in tests/golden/input/). After an
intended change of output, regenerate them and review the diff:

    CAPSPEC_UPDATE_GOLDEN=1 python -m pytest tests/test_cli_lint.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator import load_spec
from validator._problem import CODES
from validator.cli._app import cli
from validator.render._report import Finding, GithubReporter, Summary, TextReporter

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
BAD = sorted(p for p in (TESTS / "lint" / "bad").iterdir() if p.suffix != ".expected")
GOOD = sorted((TESTS / "lint" / "good").iterdir())
GOLDEN = TESTS / "golden"
UPDATE = bool(os.environ.get("CAPSPEC_UPDATE_GOLDEN"))


def run(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def lint_json(*args: str, stdin: str | bytes | None = None):
    result = run("lint", "--format", "json", *args, stdin=stdin)
    return result.exit_code, json.loads(result.stdout)


# --- the catalogue ------------------------------------------------------------------


def test_the_catalogue_is_not_empty():
    assert len(BAD) >= 20
    assert all(Path(f"{p}.expected").is_file() for p in BAD)
    assert len(GOOD) >= 5


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_a_bad_file_has_exactly_the_expected_errors(path):
    expected = Path(f"{path}.expected").read_text().split("\n")
    code, report = lint_json(str(path))
    found = [
        f"{p['line']}:{p['column']} {p['code']}"
        for p in report["problems"]
        if p["severity"] == "error"
    ]
    assert found == [line for line in expected if line]
    assert code == 1
    assert report["ok"] is False
    assert all(p["file"] == str(path) for p in report["problems"])


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_a_good_file_has_no_errors(path):
    code, report = lint_json(str(path))
    assert [p for p in report["problems"] if p["severity"] == "error"] == []
    assert code == 0
    assert report["summary"]["requests"] >= 1


def test_bad_files_do_not_stop_the_others(tmp_path):
    missing = tmp_path / "missing.json"
    directory = tmp_path / "x.json"
    directory.mkdir()
    paths = [*map(str, BAD), str(missing), str(directory), *map(str, GOOD)]
    code, report = lint_json(*paths)
    assert code == 1
    assert report["summary"]["files"] == len(paths)
    by_file = {p["file"] for p in report["problems"] if p["severity"] == "error"}
    assert by_file == {*map(str, BAD), str(missing), str(directory)}
    unreadable = [p for p in report["problems"] if p["code"] == "unreadable_file"]
    assert [(p["file"], p["line"], p["column"]) for p in unreadable] == [
        (str(missing), 1, 1),
        (str(directory), 1, 1),
    ]
    assert "directory" in unreadable[1]["message"]


def test_a_directory_is_walked_recursively_for_payload_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    request = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 3}'
    for name in (
        "a/one.json",
        "a/b/two.yaml",
        "a/b/three.ndjson",
        "a/four.jsonl",
        ".hidden/x.json",
    ):
        (tmp_path / name).write_text(request + "\n")
    (tmp_path / "a" / "notes.txt").write_text("not a payload")
    code, report = lint_json(str(tmp_path))
    assert code == 1
    files = sorted({Path(p["file"]).relative_to(tmp_path).as_posix() for p in report["problems"]})
    assert files == ["a/b/three.ndjson", "a/b/two.yaml", "a/four.jsonl", "a/one.json"]
    assert report["summary"] == {
        "files": 4,
        "requests": 4,
        "errors": 4,
        "warnings": 0,
        "skipped": 0,
        "not_requests": 0,
    }


def test_an_empty_directory_is_clean_and_says_so(tmp_path):
    result = run("lint", str(tmp_path))
    assert result.exit_code == 0
    assert "no payload files" in result.stderr


def test_the_readme_command_lints_the_examples_cleanly():
    result = run("lint", str(ROOT / "examples"))
    assert result.exit_code == 0, result.stdout
    # The first thing a new user sees: no warning either (a retired model was one).
    assert result.stdout == "capspec: no problems in 9 requests (5 files)\n"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`capspec: no problems in 9 requests (5 files)`" in readme


def test_the_examples_use_current_models():
    spec = load_spec()
    _, report = lint_json(str(ROOT / "examples"))
    assert report["problems"] == []
    models = set()
    for path in sorted((ROOT / "examples").iterdir()):
        text = path.read_text(encoding="utf-8")
        models.update(
            line.split('"model": "')[1].split('"')[0]
            for line in text.splitlines()
            if '"model": "' in line
        )
        models.update(
            line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model:")
        )
    assert len(models) >= 5
    assert {m: spec.models[m].lifecycle.status for m in models} == dict.fromkeys(models, "active")


def test_the_readme_example_prints_what_capspec_prints(monkeypatch, tmp_path):
    """The console example at the top of the README, run on tests/data/readme-request.json."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```console\n$ capspec lint request.json\n", 1)[1].split("```", 1)[0]
    (tmp_path / "request.json").write_bytes((TESTS / "data" / "readme-request.json").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run("lint", "request.json", env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert result.stdout == block


# --- positions, documents, YAML 1.2 ---------------------------------------------------


def test_a_pretty_printed_bad_key_is_at_line_5_column_3_in_every_format():
    path = str(TESTS / "lint" / "bad" / "pretty.json")
    _, report = lint_json(path)
    (problem,) = report["problems"]
    assert (problem["line"], problem["column"], problem["document"]) == (5, 3, 0)
    assert (problem["code"], problem["param"], problem["path"]) == (
        "unsupported_parameter",
        "negative_prompt",
        "$.negative_prompt",
    )
    assert problem["model"] == "black-forest-labs/FLUX.2-pro"
    github = run("lint", "--format", "github", path).stdout
    assert github.startswith(f"::error file={path},line=5,col=3,title=unsupported_parameter::")
    sarif = json.loads(run("lint", "--format", "sarif", path).stdout)
    (result,) = sarif["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 3}
    assert result["ruleId"] == "unsupported_parameter"


def test_documents_are_request_indexes_within_the_file():
    _, report = lint_json(str(TESTS / "lint" / "bad" / "array-of-mixed.json"))
    assert [(p["document"], p["code"]) for p in report["problems"]] == [
        (1, "invalid_type"),
        (2, "unsupported_parameter"),
    ]
    _, report = lint_json(str(TESTS / "lint" / "bad" / "broken-line.jsonl"))
    assert [(p["document"], p["line"]) for p in report["problems"]] == [(1, 2), (2, 3)]


def test_a_two_document_yaml_file_reads_16_9_as_a_string(tmp_path):
    path = tmp_path / "edits.yaml"
    path.write_text(
        "model: black-forest-labs/FLUX.1-kontext-pro\nprompt: a\naspect_ratio: 16:9\n"
        "---\nmodel: black-forest-labs/FLUX.1-kontext-max\nprompt: no\naspect_ratio: 16:9\n"
        "output_format: yes\n"
    )
    code, report = lint_json(str(path))
    assert report["summary"]["requests"] == 2
    # `yes` is a string under YAML 1.2, so not a boolean: an enumeration miss, not a type error.
    (problem,) = report["problems"]
    assert (problem["document"], problem["line"], problem["column"]) == (1, 8, 1)
    assert (problem["code"], problem["param"]) == ("invalid_value", "output_format")
    assert code == 1


def test_a_missing_parameter_is_reported_at_its_request():
    code, report = lint_json(
        "-",
        stdin='[\n  {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"},\n  {"model": "black-forest-labs/FLUX.2-pro"}\n]\n',
    )
    (problem,) = report["problems"]
    assert (problem["code"], problem["document"], problem["line"], problem["column"]) == (
        "missing_required",
        1,
        3,
        3,
    )
    assert problem["file"] == "<stdin>"
    assert code == 1


def test_a_nested_problem_points_at_its_key():
    text = (
        '{"model": "kwaivgI/kling-2.1-pro",\n "prompt": "p",\n "media": {"frame_images": [\n'
        '  {"input_image": "https://e.x/a.jpeg", "frame": "middle"}\n ]}\n}\n'
    )
    _, report = lint_json("-", stdin=text)
    (problem,) = report["problems"]
    assert problem["path"] == "$.media.frame_images[0].frame"
    assert (problem["line"], problem["column"]) == (4, 41)


@pytest.mark.parametrize("policy", ["strict", "drop", "fix"])
def test_text_output_is_in_file_line_column_order(tmp_path, policy):
    # Under drop and fix, a dropped parameter's warning once came before an earlier error.
    (tmp_path / "b.json").write_text(
        '{\n  "model": "black-forest-labs/FLUX.2-pro",\n  "n": 9,\n  "prompt": "a",\n'
        '  "steps": 3,\n  "seed": "x",\n  "seed": 1\n}\n'
    )
    (tmp_path / "a.jsonl").write_text('{"model": "black-forest-labs/FLUX.2-pro", "steps": 3}\n')
    result = run("lint", "--policy", policy, str(tmp_path / "b.json"), str(tmp_path / "a.jsonl"))
    assert result.exit_code == 1
    located = [line.split(": ")[0].rsplit(":", 2) for line in result.stdout.splitlines()[:-1]]
    keys = [(Path(name).name, int(line), int(column)) for name, line, column in located]
    assert keys == sorted(keys)
    assert len({key[0] for key in keys}) == 2
    assert [key[1] for key in keys if key[0] == "b.json"] == [3, 5, 7]


# --- standard input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requests"),
    [
        ('{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}', 1),
        ('[{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}]', 1),
        (
            (
                '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}\n'
                '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "b"}\n'
            ),
            2,
        ),
        (
            "model: black-forest-labs/FLUX.2-pro\nprompt: a\n---\nmodel: black-forest-labs/FLUX.2-pro\nprompt: b\n",
            2,
        ),
        (
            "{model: black-forest-labs/FLUX.2-pro, prompt: a}\n---\n[{model: black-forest-labs/FLUX.2-pro, prompt: b}]\n",
            2,
        ),
    ],
    ids=["json", "array", "jsonl", "yaml", "yaml-flow"],
)
def test_standard_input_is_told_apart_by_content(text, requests):
    code, report = lint_json("-", stdin=text)
    assert code == 0
    assert report["summary"]["requests"] == requests
    assert report["summary"]["files"] == 1


def test_jsonl_on_standard_input_is_streamed(monkeypatch):
    import io

    from validator.files import _payloads

    lines = [b'{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}\n'] * 3
    lines.append(b'{"model": "black-forest-labs/FLUX.2-pro", "steps": 3}\n')
    consumed = []

    class Stdin(io.BytesIO):
        def readline(self, size=-1):
            line = super().readline(size)
            consumed.append(line)
            return line

        def read(self, *args):
            raise AssertionError("JSONL on standard input must not be read whole")

    stdin = Stdin(b"".join(lines))
    items = _payloads.read(_payloads.Source("<stdin>", None, "auto"), stdin=stdin)
    first = next(items)
    assert first.document == 0
    assert len(consumed) == 2  # the first two lines were read to tell the format
    assert [first.document, *(i.document for i in items)] == [0, 1, 2, 3]
    assert consumed[:4] == lines


def test_empty_standard_input_is_an_empty_file():
    code, report = lint_json("-", stdin="")
    assert code == 1
    assert [p["code"] for p in report["problems"]] == ["empty_file"]


# --- options ------------------------------------------------------------------------

RETIRED = '{"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a"}'
DROPPABLE = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 20}'


def test_policy_drop_turns_droppable_errors_into_warnings():
    code, report = lint_json("-", stdin=DROPPABLE)
    assert code == 1
    assert [p["code"] for p in report["problems"]] == ["unsupported_parameter"]
    code, report = lint_json("--policy", "drop", "-", stdin=DROPPABLE)
    assert code == 0
    assert [p["code"] for p in report["problems"]] == ["parameter_dropped"]


def test_policy_fix_repairs_what_it_can():
    text = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "output_format": "PNG"}'
    assert lint_json("-", stdin=text)[0] == 1
    code, report = lint_json("--policy", "fix", "-", stdin=text)
    assert code == 0
    assert [p["code"] for p in report["problems"]] == ["value_changed"]


def test_warnings_pass_unless_warnings_as_errors():
    code, report = lint_json("-", stdin=RETIRED)
    assert code == 0
    assert report["ok"] is True
    assert report["summary"]["warnings"] == 1
    code, report = lint_json("--warnings-as-errors", "-", stdin=RETIRED)
    assert code == 1
    assert report["ok"] is False


def test_quiet_prints_errors_only_and_no_summary():
    both = RETIRED + "\n" + DROPPABLE + "\n"
    loud = run("lint", "-", stdin=both)
    assert loud.exit_code == 1
    assert " warning retired_model " in loud.stdout
    assert loud.stdout.splitlines()[-1].startswith("capspec: 1 error and 1 warning")
    quiet = run("lint", "--quiet", "-", stdin=both)
    assert quiet.exit_code == 1
    assert quiet.stdout.splitlines() == [
        line for line in loud.stdout.splitlines()[:-1] if " error " in line
    ]
    kept = run("lint", "--quiet", "--warnings-as-errors", "-", stdin=both)
    assert " warning retired_model " in kept.stdout


def test_spec_option_uses_another_spec(tmp_path):
    good = run("lint", "--spec", str(ROOT / "capabilities.yaml"), "-", stdin=DROPPABLE)
    assert good.exit_code == 1
    assert "unsupported_parameter" in good.stdout
    bad = tmp_path / "spec.yaml"
    for text in ("models: [\n", "models: \x00\n"):
        bad.write_text(text)
        result = run("lint", "--spec", str(bad), "-", stdin=DROPPABLE)
        assert result.exit_code == 2
        assert "is invalid" in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [["--format", "xml", "x.json"], ["--policy", "lenient", "x.json"], ["--nope", "x.json"]],
    ids=["bad-format", "bad-policy", "bad-option"],
)
def test_usage_errors_exit_2(args):
    result = run("lint", *args)
    assert result.exit_code == 2


def test_help_teaches_with_examples():
    result = run("lint", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "capspec lint payloads/ --format github" in result.stdout


# The --format option of lint, drift and rule, as its --help renders it at 80 columns
# (the three share one definition: each keeps its own choices, default and words).
FORMAT_HELP = {
    "lint": """\
  -f, --format [text|json|github|sarif]
                                  text for people, json for programs, github
                                  for workflow annotations, sarif for code
                                  scanning.  [default: text]
""",
    "drift": """\
  -f, --format [text|json|github]
                                  text for people, json for programs, github
                                  for workflow annotations.  [default: text]
""",
    "rule": """\
  -f, --format [text|json]  text for people, json for programs.  [default:
                            text]
""",
}


@pytest.mark.parametrize("command", sorted(FORMAT_HELP))
def test_the_format_option_is_rendered_as_before(command):
    # click leaves two columns free on a terminal; a forced width is used whole.
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=78)
    assert result.exit_code == 0
    lines = result.stdout.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("  -f, --format "))
    expected = FORMAT_HELP[command]
    assert "".join(lines[start : start + expected.count("\n")]) == expected
    assert lines[start + expected.count("\n")].startswith("  -")  # the next option


@pytest.mark.parametrize(
    ("command", "args", "unknown"),
    [("lint", ["-"], "xml"), ("drift", [], "sarif"), ("rule", ["--all"], "github")],
)
def test_the_format_option_refuses_what_its_command_does_not_write(command, args, unknown):
    result = run(command, "-f", unknown, *args)
    assert result.exit_code == 2
    assert f"Invalid value for '--format' / '-f': '{unknown}' is not one of" in result.stderr
    assert "Traceback" not in result.output


# --- reporters: colour, escaping, golden outputs ------------------------------------------

FINDING = Finding(
    "a.json",
    0,
    2,
    3,
    __import__("validator").Problem("out_of_range", "error", "n", "$.n", "n 9 is above 4", "use 4"),
    "m",
)


def test_text_is_coloured_on_request_and_plain_otherwise():
    import io

    plain = io.StringIO()
    TextReporter(plain).report(FINDING)
    assert plain.getvalue() == "a.json:2:3: error out_of_range n 9 is above 4 (hint: use 4)\n"
    coloured = io.StringIO()
    TextReporter(coloured, color=True).report(FINDING)
    assert "\x1b[1;31merror\x1b[0m" in coloured.getvalue()
    env_colour = run("lint", "-", stdin=DROPPABLE, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in env_colour.stdout
    no_colour = run("lint", "-", stdin=DROPPABLE, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in no_colour.stdout


def test_github_escapes_properties_and_data():
    import io

    out = io.StringIO()
    problem = FINDING.problem._replace(message="50% off,\nnext: line\r", hint=None)
    GithubReporter(out).report(FINDING._replace(file="a,b:c%.json", problem=problem))
    assert out.getvalue() == (
        "::error file=a%2Cb%3Ac%25.json,line=2,col=3,title=out_of_range::50%25 off,%0Anext: line%0D\n"
    )


def test_summary_line_counts():
    from validator.render._report import summary_line

    assert (
        summary_line(Summary(1, 1, 0, 0, ok=True)) == "capspec: no problems in 1 request (1 file)"
    )
    assert summary_line(Summary(1, 2, 0, 1, ok=True)) == "capspec: 1 warning in 2 requests (1 file)"
    assert summary_line(Summary(3, 10, 2, 1, ok=False)) == (
        "capspec: 2 errors and 1 warning in 10 requests (3 files)"
    )


def test_sarif_has_one_rule_per_code_and_results_that_point_at_them():
    path = str(GOLDEN / "input")
    sarif = json.loads(run("lint", "--format", "sarif", path).stdout)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning"}
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_golden_output(fmt, monkeypatch):
    """Every reporter's exact output for the files in tests/golden/input/."""
    monkeypatch.chdir(GOLDEN)
    # SARIF locations are relative to the repository; here, to the golden folder, so the
    # output (fingerprints included) is the same in any checkout, or none.
    monkeypatch.setattr("validator.render._report._source_root", lambda: str(GOLDEN))
    result = run("lint", "--format", fmt, "input", env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    # The tool's version is not part of the format: releases must not break the golden file.
    from validator import __version__

    output = result.stdout.replace(
        f'"name": "capspec", "version": "{__version__}"', '"name": "capspec", "version": "VERSION"'
    )
    # Nor where the repository is checked out: SARIF locations are relative to it.
    output = output.replace(json.dumps(GOLDEN.as_uri() + "/"), '"file:///SRCROOT/"')
    golden = GOLDEN / f"lint.{fmt}"
    if UPDATE:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_golden_json_is_consistent():
    report = json.loads((GOLDEN / "lint.json").read_text(encoding="utf-8"))
    errors = sum(p["severity"] == "error" for p in report["problems"])
    warnings = sum(p["severity"] == "warning" for p in report["problems"])
    assert report["summary"] == {
        "files": 4,
        "requests": 6,
        "errors": errors,
        "warnings": warnings,
        "skipped": 0,
        "not_requests": 0,
    }
    assert list(report["problems"][0]) == [
        "file",
        "document",
        "line",
        "column",
        "severity",
        "code",
        "param",
        "path",
        "message",
        "hint",
        "model",
    ]


# --- hostile inputs (issue 6) -------------------------------------------------------------


def hostile(tmp_path: Path) -> dict[str, Path]:
    files = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep-object.jsonl": '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n",
        "nan.json": '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "seed": NaN}',
        "infinity.json": '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "seed": Infinity}',
        "digits.json": '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "seed": '
        + "1" * 5000
        + "}",
        "empty.json": "",
        "bomb.yaml": (TESTS / "lint" / "bad" / "alias-bomb.yaml").read_text(),
        "deep.yaml": "a: " + "[" * 10_000 + "]" * 10_000,
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / name
        out[name].write_text(text)
    (tmp_path / "x.json").mkdir()
    out["x.json"] = tmp_path / "x.json"
    return out


def test_hostile_inputs_are_problems_not_crashes(tmp_path):
    files = hostile(tmp_path)
    for name, path in files.items():
        code, report = lint_json(str(path))
        assert code == 1, name
        codes = {p["code"] for p in report["problems"]}
        assert codes <= {"invalid_json", "invalid_yaml", "empty_file", "unreadable_file"}, name
        assert codes, name
    _, report = lint_json(str(files["deep.json"]))
    assert "nesting deeper" in report["problems"][0]["message"]
    _, report = lint_json(str(files["digits.json"]))
    assert "5,000 digits" in report["problems"][0]["message"]


def test_hostile_inputs_in_a_real_process_show_no_traceback(tmp_path):
    files = hostile(tmp_path)
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.run(
        [sys.executable, "-m", "validator", "lint", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert process.stderr == ""
    assert process.stdout.count(" error ") == len(files)


def test_lint_does_not_import_jsonschema_or_yaml_for_json(tmp_path):
    one = tmp_path / "one.json"
    one.write_text('{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}')
    code = (
        "import sys\nfrom validator.cli import main\n"
        "try:\n    main(['lint', sys.argv[1]])\nexcept SystemExit as e:\n    status = e.code\n"
        "print(status, 'jsonschema' in sys.modules, 'yaml' in sys.modules)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, str(one)], capture_output=True, text=True, check=True
    )
    assert process.stdout.splitlines()[-1] == "0 False False"


def test_a_5_mb_prompt_is_located_in_linear_time_and_bounded_memory(tmp_path):
    # Locating scans the text again; a regex that kept state per character or escape of a
    # string once took 750 MB and seconds for this file.
    import tracemalloc

    from validator.files._locate import scan_json

    text = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "' + "a\\n" * 2_500_000 + '"}'
    tracemalloc.start()
    try:
        positions = scan_json(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert positions.keys[("prompt",)] == (1, 43)
    assert positions.values[("prompt",)] == (1, 53)
    assert peak < 20_000_000
    path = tmp_path / "big.json"
    path.write_text(text)
    code, report = lint_json(str(path))
    assert code == 1
    assert [(p["code"], p["line"], p["column"]) for p in report["problems"]] == [
        ("out_of_range", 1, 43)
    ]


def test_a_lone_surrogate_escape_is_an_error_at_its_value(tmp_path):
    path = tmp_path / "surrogate.json"
    path.write_text(
        '{\n  "model": "black-forest-labs/FLUX.2-pro",\n  "prompt": "a\\ud800b"\n}\n',
        encoding="ascii",
    )
    result = run("lint", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"{path}:3:3: error invalid_unicode prompt has a lone surrogate U+D800 at index 1"
    )
    code, report = lint_json(str(path))
    assert code == 1
    assert [(p["code"], p["line"], p["column"]) for p in report["problems"]] == [
        ("invalid_unicode", 3, 3)
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("big.json", '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "seed": 1e400}'),
        ("big.yaml", "model: black-forest-labs/FLUX.2-pro\nprompt: a\nseed: 1e400\n"),
        ("tagged.yaml", "model: black-forest-labs/FLUX.2-pro\nprompt: a\nseed: !!float 1e400\n"),
    ],
)
def test_a_number_too_large_for_a_float_is_shown_as_written(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run("lint", str(path))
    assert result.exit_code == 1
    assert "got 1e400, outside the range of a 64-bit float (about ±1.8e308)" in result.stdout
    assert "Infinity" not in result.stdout
