"""Linting a real repository: the request-document rule, .gitignore, configuration, options.

The scenario of issue 15: a git repository full of JSON and YAML that is not a
request (package.json, tsconfig.json, a workflow, a compose file, the pre-commit
configuration) and a requests/ folder with one good request and one bad one.
``capspec lint .`` and the pre-commit hook report the bad request only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from validator.cli._app import cli
from validator.files._config import ConfigError, find_config, key_line, load_config
from validator.files._ignore import GitIgnore, PatternSet

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a lighthouse at dusk"}
BAD = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a lighthouse", "n": 9}

FILES = {
    "package.json": '{"name": "demo", "version": "1.0.0", "scripts": {"test": "jest"}}\n',
    # JSON with comments and trailing commas: not JSON, and not a request either.
    "tsconfig.json": '{\n  // strict\n  "compilerOptions": {"strict": true,},\n}\n',
    ".github/workflows/ci.yml": (
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
    ),
    "compose.yaml": 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n',
    ".pre-commit-config.yaml": (
        "repos:\n  - repo: local\n    hooks:\n      - id: capspec-lint\n"
        "        name: capspec\n        entry: capspec lint\n        language: system\n"
    ),
    "requests/good.json": json.dumps(GOOD) + "\n",
    "requests/bad.json": json.dumps(BAD, indent=2) + "\n",
}


def make_repo(root: Path, files: dict[str, str] = FILES) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)  # a repository root, as far as capspec looks
    return root


def lint(cwd: Path, *args: str) -> tuple[int, dict]:
    """``capspec lint --format json ARGS`` run in ``cwd``."""
    result = invoke(cwd, "lint", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def invoke(cwd: Path, *args: str):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def where(report: dict) -> list[str]:
    return [f"{p['file']}:{p['line']} {p['code']}" for p in report["problems"]]


# --- the scenario ----------------------------------------------------------------------


def test_lint_dot_reports_only_the_bad_request(tmp_path):
    repo = make_repo(tmp_path)
    code, report = lint(repo, ".")
    assert where(report) == ["requests/bad.json:4 out_of_range"]
    assert code == 1
    # Found and checked: the two requests; package.json, tsconfig.json and compose.yaml
    # hold none (hidden folders and files are not walked into).
    assert report["summary"]["files"] == 2
    assert report["summary"]["not_requests"] == 3


def test_lint_dot_in_text_says_what_was_skipped(tmp_path):
    repo = make_repo(tmp_path)
    result = invoke(repo, "lint", ".")
    assert result.stdout.splitlines() == [
        (
            "requests/bad.json:4:3: error out_of_range n 9 is above the maximum 4 for "
            "black-forest-labs/FLUX.2-pro (allowed: 1 to 4)"
        ),
        "capspec: 1 error in 2 requests (2 files; 3 skipped: no requests)",
    ]


def test_the_files_pre_commit_passes_under_the_hook_entry(tmp_path):
    """What pre-commit does: pick files by the hook's files/types_or, run its entry on them."""
    from identify.identify import tags_from_path

    repo = make_repo(tmp_path)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "capspec-lint")
    files_re = re.compile(hook["files"])
    types_or = set(hook["types_or"])
    names = sorted(
        str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts
    )
    passed = [
        name for name in names if files_re.search(name) and types_or & tags_from_path(repo / name)
    ]
    # pre-commit hands every JSON and YAML file of the repository to the hook ...
    assert set(passed) == set(FILES)
    entry = hook["entry"].split()
    assert entry[:2] == ["capspec", "lint"]
    code, report = lint(repo, *entry[2:], *passed)
    # ... and the hook reports the bad request only.
    assert where(report) == ["requests/bad.json:4 out_of_range"]
    assert code == 1
    assert report["summary"]["not_requests"] == 5


def test_named_files_are_always_checked_without_force_exclude(tmp_path):
    repo = make_repo(tmp_path)
    code, report = lint(repo, "package.json", "requests/good.json")
    assert where(report) == ["package.json:1 missing_required"]
    assert code == 1


def test_ignore_and_exit_zero_on_the_scenario(tmp_path):
    repo = make_repo(tmp_path)
    code, report = lint(repo, ".", "--ignore", "out_of_range")
    assert report["problems"] == []
    assert code == 0
    code, report = lint(repo, ".", "--exit-zero")
    assert where(report) == ["requests/bad.json:4 out_of_range"]
    assert code == 0


def test_tool_capspec_ignore_in_pyproject(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.capspec]\nignore = ["out_of_range"]\n'
    )
    code, report = lint(repo, ".")
    assert (code, report["problems"]) == (0, [])
    # from a subfolder too: the file is found by walking up
    code, report = lint(repo / "requests", ".")
    assert (code, report["problems"]) == (0, [])
    # the command line wins: --select brings the code back
    code, report = lint(repo, ".", "--select", "out_of_range")
    assert where(report) == ["requests/bad.json:4 out_of_range"]
    assert code == 1
    # --isolated reads no configuration
    assert lint(repo, ".", "--isolated")[0] == 1


# --- the request-document rule -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "checked"),
    [
        ('{"model": "x"}', True),
        ('[{"name": "a"}, {"model": "x"}]', True),
        ('{"prompt": "a cat", "width": 512}', True),
        ('{"prompt": "a cat", "num_inference_steps": 4}', True),  # a foreign name counts
        ('{"prompt": "a cat", "completion": "a dog"}', False),  # a fine-tuning record
        ('{"name": "demo"}', False),
        ("[1, 2]", False),
        ("[]", False),
        ('{"model": "x",,}', True),  # broken, but a request: its problem is reported
        ("{// comment\n}", False),
    ],
)
def test_which_found_files_hold_requests(tmp_path, text, checked):
    (tmp_path / "found.json").write_text(text)
    _, report = lint(tmp_path, ".")
    assert report["summary"]["files"] == int(checked)
    assert report["summary"]["not_requests"] == int(not checked)


def test_yaml_and_jsonl_hold_requests_in_any_document(tmp_path):
    (tmp_path / "a.yaml").write_text("name: x\n---\nmodel: black-forest-labs/FLUX.2-pro\nn: 9\n")
    (tmp_path / "b.jsonl").write_text('{"a": 1}\n{"model": "nope"}\n')
    code, report = lint(tmp_path, ".")
    # Once a file holds a request, every document in it is checked as one.
    assert {p["file"] for p in report["problems"]} == {"a.yaml", "b.jsonl"}
    assert "a.yaml:4 out_of_range" in where(report)
    assert "b.jsonl:2 unknown_model" in where(report)
    assert report["summary"]["files"] == 2
    assert code == 1


def test_gitignored_files_and_folders_are_not_walked(tmp_path):
    repo = make_repo(tmp_path)
    (repo / ".gitignore").write_text("build/\n*.local.json\n!keep.local.json\n")
    bad = json.dumps(BAD)
    for name in ("build/out.json", "requests/x.local.json", "requests/keep.local.json"):
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(bad)
    (repo / "requests" / ".gitignore").write_text("bad.json\n")
    code, report = lint(repo, ".")
    assert where(report) == ["requests/keep.local.json:1 out_of_range"]
    assert code == 1
    # named with --force-exclude (pre-commit), an ignored file is left out as well
    code, report = lint(repo, "--force-exclude", "requests/bad.json", "build/out.json")
    assert (code, report["summary"]["files"]) == (0, 0)


def test_include_and_exclude(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "prompts").mkdir()
    (repo / "prompts" / "p.json").write_text('{"prompt": "no model here"}')
    (repo / "capspec.toml").write_text(
        'include = ["prompts/**"]\nexclude = ["requests/bad.json"]\n'
    )
    code, report = lint(repo, ".")
    assert where(report) == ["prompts/p.json:1 missing_required"]
    assert code == 1


def test_per_file_ignores(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "capspec.toml").write_text('[per-file-ignores]\n"requests/*.json" = ["out_of_range"]\n')
    assert lint(repo, ".")[0] == 0
    assert lint(repo, ".")[1]["problems"] == []
    (repo / "other").mkdir()
    (repo / "other" / "bad.json").write_text(json.dumps(BAD))
    assert where(lint(repo, ".")[1]) == ["other/bad.json:1 out_of_range"]


# --- configuration -----------------------------------------------------------------------


def test_capspec_toml_comes_before_pyproject_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.capspec]\npolicy = "drop"\n')
    (tmp_path / "capspec.toml").write_text('policy = "fix"\n')
    assert find_config(tmp_path) == str(tmp_path / "capspec.toml")
    assert load_config(tmp_path / "capspec.toml").policy == "fix"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.capspec]\nignore = ["not_recommended"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(tmp_path / "sub") == str(tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '[tool.capspec]\nselect = ["ALL"]\nexclde = []\n',
            3,
            "unknown key 'tool.capspec.exclde' (did you mean 'exclude'?)",
        ),
        (
            '[tool.capspec]\nignore = [\n  "not_recommended",\n  "out_of_rang",\n]\n',
            4,
            "unknown problem code 'out_of_rang'; did you mean 'out_of_range'?",
        ),
        (
            '[tool.capspec]\npolicy = "lenient"\n',
            2,
            "tool.capspec.policy must be one of strict, drop, fix",
        ),
        (
            '[tool.capspec]\n\n[tool.capspec.per-file-ignores]\n"a/*" = ["nope_code"]\n',
            4,
            "unknown problem code 'nope_code'; `capspec rule --all` lists them",
        ),
        (
            '[tool.capspec]\nwarnings-as-errors = "yes"\n',
            2,
            "tool.capspec.warnings-as-errors must be true or false",
        ),
        (
            '[tool.capspec]\ninclude = "requests"\n',
            2,
            "tool.capspec.include must be a list of path patterns",
        ),
        ("[tool]\ncapspec.select = ['ALL', 'bogus']\n", 2, "unknown problem code 'bogus'"),
    ],
)
def test_a_bad_configuration_is_exit_2_naming_file_and_line(tmp_path, text, line, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "pyproject.toml")
    assert caught.value.line == line
    assert caught.value.message.startswith(message)
    (tmp_path / "r.json").write_text(json.dumps(GOOD))
    result = invoke(tmp_path, "lint", "r.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"capspec: {tmp_path / 'pyproject.toml'}:{line}: {message}")


def test_invalid_toml_is_a_configuration_error(tmp_path):
    (tmp_path / "capspec.toml").write_text('select = ["ALL"]\nignore = [\n')
    result = invoke(tmp_path, "lint", ".")
    assert result.exit_code == 2
    assert "capspec.toml:" in result.stderr
    assert "not valid TOML" in result.stderr


def test_a_relative_spec_resolves_against_the_config_folder(tmp_path):
    shutil.copy(ROOT / "capabilities.yaml", tmp_path / "my-spec.yaml")
    (tmp_path / "capspec.toml").write_text('spec = "my-spec.yaml"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.json").write_text(json.dumps(GOOD))
    assert load_config(tmp_path / "capspec.toml").spec == str(tmp_path / "my-spec.yaml")
    assert invoke(tmp_path / "sub", "lint", "r.json").exit_code == 0
    (tmp_path / "capspec.toml").write_text('spec = "missing.yaml"\n')
    result = invoke(tmp_path / "sub", "lint", "r.json")
    assert result.exit_code == 2
    assert "missing.yaml" in result.stderr


def test_policy_and_warnings_as_errors_from_the_config_and_the_command_line(tmp_path):
    request = {**GOOD, "negative_prompt": "blur"}  # FLUX.2 Pro: unsupported (an error)
    (tmp_path / "r.json").write_text(json.dumps(request))
    (tmp_path / "capspec.toml").write_text('policy = "drop"\nwarnings-as-errors = true\n')
    code, report = lint(tmp_path, "r.json")
    assert [p["code"] for p in report["problems"]] == ["parameter_dropped"]
    assert code == 1  # a warning, and warnings are errors here
    assert lint(tmp_path, "r.json", "--no-warnings-as-errors")[0] == 0
    code, report = lint(tmp_path, "r.json", "--policy", "strict", "--no-warnings-as-errors")
    assert [p["code"] for p in report["problems"]] == ["unsupported_parameter"]
    assert code == 1
    assert lint(tmp_path, "r.json", "--isolated")[0] == 1


def test_config_option_names_the_file(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(BAD))
    (tmp_path / "elsewhere.toml").write_text('ignore = ["out_of_range"]\n')
    assert lint(tmp_path, "r.json")[0] == 1
    assert lint(tmp_path, "r.json", "--config", "elsewhere.toml")[0] == 0


def test_unknown_codes_on_the_command_line_are_usage_errors(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(GOOD))
    result = invoke(tmp_path, "lint", "r.json", "--ignore", "out_of_range,bogus_code")
    assert result.exit_code == 2
    assert "unknown problem code 'bogus_code'" in result.stderr
    assert invoke(tmp_path, "lint", "r.json", "--select", "ALL").exit_code == 0


def test_key_line_finds_dotted_keys_and_values():
    text = '[tool.capspec]\nselect = ["a"]\n[tool.capspec.per-file-ignores]\n"x/*" = [\n "b",\n]\n'
    assert key_line(text, ("tool", "capspec", "select")) == 2
    assert key_line(text, ("tool", "capspec", "per-file-ignores", "x/*")) == 4
    assert key_line(text, ("tool", "capspec", "per-file-ignores", "x/*"), "b") == 5
    assert key_line("tool.capspec.spec = 1\n", ("tool", "capspec", "spec")) == 1


# --- options -----------------------------------------------------------------------------


def test_statistics_counts_by_code(tmp_path):
    for index in range(3):
        (tmp_path / f"bad{index}.json").write_text(json.dumps(BAD))
    (tmp_path / "w.json").write_text(json.dumps({**GOOD, "width": 2000}))
    result = invoke(tmp_path, "lint", "--statistics", ".")
    assert result.stdout.splitlines() == [
        "3  out_of_range     error    A number, length or item count is outside its bounds.",
        "1  not_recommended  warning  Allowed, but outside the stricter documented advice.",
        "capspec: 3 errors and 1 warning in 4 requests (4 files)",
    ]
    assert result.exit_code == 1
    result = invoke(tmp_path, "lint", "--statistics", "--format", "json", ".")
    assert result.exit_code == 2


def test_output_file_is_written_whole(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(BAD))
    (tmp_path / "report.json").write_text("old")
    result = invoke(tmp_path, "lint", "r.json", "--format", "json", "-o", "report.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    report = json.loads((tmp_path / "report.json").read_text())
    assert where(report) == ["r.json:1 out_of_range"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file
    result = invoke(tmp_path, "lint", "r.json", "-o", "no/such/dir/report.txt")
    assert result.exit_code == 2
    assert "cannot write no/such/dir/report.txt" in result.stderr


# --- patterns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "path", "is_dir", "expected"),
    [
        (["*.lock"], "a/b/c.lock", False, True),
        (["/build"], "build/x.json", False, True),
        (["/build"], "sub/build/x.json", False, None),
        (["build/"], "sub/build", True, True),
        (["build/"], "build", False, None),  # a file named build: folders only
        (["requests/*.json"], "requests/a.json", False, True),
        (["requests/*.json"], "requests/deep/a.json", False, None),
        (["requests/**"], "requests/deep/a.json", False, True),
        (["**/golden"], "x/y/golden/a.json", False, True),
        (["*.json", "!keep.json"], "keep.json", False, False),
        (["fixture?.json"], "fixture1.json", False, True),
        (["[!a]*.json"], "b.json", False, True),
        (["[!a]*.json"], "a.json", False, None),
        (["\\#odd"], "#odd", False, True),
        (["# a comment", ""], "# a comment", False, None),
    ],
)
def test_patterns_match_as_in_gitignore(tmp_path, patterns, path, is_dir, expected):
    assert PatternSet(tmp_path, patterns).match(tmp_path / path, is_dir=is_dir) is expected


def test_a_pattern_that_matches_nothing_is_refused():
    with pytest.raises(ValueError, match="matches nothing"):
        PatternSet(Path("/"), ["/"])


def test_gitignore_agrees_with_git(tmp_path):
    git = shutil.which("git")
    if git is None:  # pragma: no cover - git is part of the development setup
        pytest.fail("git is needed for this test")
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("*.tmp.json\n/out/\ncache\n!cache/keep.json\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".gitignore").write_text("local.yaml\n")
    paths = [
        "x.tmp.json",
        "a/x.tmp.json",
        "out/r.json",
        "a/out/r.json",
        "cache/keep.json",
        "a/local.yaml",
        "local.yaml",
        "r.json",
    ]
    for name in paths:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    ours = GitIgnore(tmp_path)
    found = subprocess.run(
        [git, "check-ignore", "--no-index", *paths],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(p for p in paths if ours.ignored(tmp_path / p)) == sorted(found)


# --- rule and SARIF ------------------------------------------------------------------------


def test_every_problem_code_has_a_rule_and_every_rule_a_code():
    from validator import CODES
    from validator.render._rules import RULES

    assert list(RULES) == list(CODES)
    for code, rule in RULES.items():
        assert rule.explanation.strip(), code
        assert rule.example.strip(), code
        assert rule.fix.strip(), code


def test_request_examples_have_the_problem_they_explain(spec):
    """Each rule's example, when it is a request, gets exactly that code from validate()."""
    import validator
    from validator._problem import FILE_CODES
    from validator.render._rules import RULES

    checked = 0
    for code, rule in RULES.items():
        if not rule.example.startswith("{") or code in FILE_CODES:
            continue
        request = json.loads(rule.example)
        found = [p.code for p in validator.validate(request, spec=spec)]
        assert found == [code], (code, found)
        checked += 1
    # every request code (all but the file codes and the two policy codes) has one
    from validator._problem import ERROR_CODES, WARNING_CODES

    assert checked == len(ERROR_CODES) + len(WARNING_CODES) - 2


def test_capspec_rule_explains_a_code(tmp_path):
    result = invoke(tmp_path, "rule", "not_multiple_of")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "not_multiple_of (error, a problem of a request): "
        "A number is not a multiple of the required step."
    )
    assert "Example:" in lines
    assert lines[-1].startswith("Fix: ")
    result = invoke(tmp_path, "rule", "out_of_rang")
    assert result.exit_code == 2
    assert "unknown problem code 'out_of_rang'; did you mean 'out_of_range'" in result.stderr
    assert invoke(tmp_path, "rule").exit_code == 2
    assert invoke(tmp_path, "rule", "out_of_range", "--all").exit_code == 2


def test_capspec_rule_all_lists_every_code(tmp_path):
    from validator import CODES

    result = invoke(tmp_path, "rule", "--all", "--format", "json")
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == list(CODES)
    assert {row["severity"] for row in rows} == {"error", "warning"}
    text = invoke(tmp_path, "rule", "--all").stdout
    assert all(f"\n{code} (" in "\n" + text for code in CODES)


def sarif_run(cwd: Path, *args: str) -> dict:
    result = invoke(cwd, "lint", "--format", "sarif", *args)
    return json.loads(result.stdout)["runs"][0]


def test_sarif_locations_are_relative_to_the_repository(tmp_path):
    repo = make_repo(tmp_path)
    run_ = sarif_run(repo / "requests", "bad.json")
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    (result,) = run_["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "requests/bad.json", "uriBaseId": "%SRCROOT%"}
    rules = run_["tool"]["driver"]["rules"]
    rule = rules[result["ruleIndex"]]
    assert rule["helpUri"].endswith(f"docs/rules.md#{rule['id']}")
    assert "Fix:" in rule["help"]["text"]
    assert rule["help"]["markdown"].startswith("**")


def test_sarif_fingerprints_survive_moved_lines_and_tell_repeats_apart(tmp_path):
    repo = make_repo(tmp_path)
    first = sarif_run(repo, "requests/bad.json")["results"]
    # The same problem, further down the file, with a second copy of it after.
    moved = [{"model": "black-forest-labs/FLUX.2-pro", "prompt": "x"}, BAD, BAD]
    (repo / "requests" / "bad.json").write_text(json.dumps(moved, indent=4))
    again = sarif_run(repo, "requests/bad.json")["results"]
    prints = [r["partialFingerprints"]["capspecProblem/v1"] for r in again]
    assert prints[0] == first[0]["partialFingerprints"]["capspecProblem/v1"]
    assert (
        again[0]["locations"][0]["physicalLocation"]["region"]
        != (first[0]["locations"][0]["physicalLocation"]["region"])
    )
    assert prints[1] != prints[0]
    assert prints[1].split(":")[0] == prints[0].split(":")[0]


# --- errors apart from warnings ----------------------------------------------------------


def test_is_error_and_find_errors(spec):
    import validator

    schnell = {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a cat"}
    problems = validator.validate(schnell, spec=spec)
    assert [p.code for p in problems] == ["retired_model"]  # valid, with a warning
    assert [p.is_error for p in problems] == [False]
    assert validator.find_errors(schnell, spec=spec) == []
    bad = {**schnell, "n": 9, "width": 2000}
    found = validator.find_errors(bad, spec=spec)
    assert found
    assert all(p.is_error and p.severity == "error" for p in found)
    assert found == [p for p in validator.validate(bad, spec=spec) if p.severity == "error"]
    assert "find_errors" in validator.__all__
    assert validator.find_errors(object()) != []  # never raises, whatever the input


def test_lint_with_no_path_checks_the_current_folder(tmp_path):
    repo = make_repo(tmp_path)
    bare = invoke(repo, "lint")
    dot = invoke(repo, "lint", ".")
    assert bare.exit_code == dot.exit_code == 1
    assert bare.stdout == dot.stdout
    assert bare.stdout.startswith(f"{Path('requests') / 'bad.json'}:")
    assert "skipped: no requests" in bare.stdout
    assert "[PATH]..." in invoke(repo, "lint", "--help").stdout
