"""``capspec normalize`` and ``capspec migrate`` walk folders as ``capspec lint`` does.

They read the same configuration (``capspec.toml`` or ``[tool.capspec]``): its spec,
its include and exclude, and (normalize) its policy; ``.gitignore`` is honoured, and
a file found in a walk is rewritten only when it holds requests, so
``capspec normalize --write .`` in a repository never touches package.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli._app import cli

FLUX2_PRO = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}
DROPPABLE = {**FLUX2_PRO, "negative_prompt": "blur"}  # FLUX.2 Pro refuses it
SCHNELL = {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a cat"}  # retired


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def put(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository: requests, a package.json, an ignored build folder, an excluded one."""
    monkeypatch.chdir(tmp_path)
    put(tmp_path / "requests" / "a.json", FLUX2_PRO)
    put(tmp_path / "package.json", {"name": "app", "version": "1.0.0"})
    put(tmp_path / "build" / "copy.json", FLUX2_PRO)
    put(tmp_path / "vendor" / "theirs.json", FLUX2_PRO)
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.capspec]\nexclude = ["vendor/"]\n', encoding="utf-8"
    )
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


@pytest.mark.parametrize("command", ["normalize", "migrate"])
def test_a_walk_skips_what_is_not_a_request_and_what_is_ignored_or_excluded(repo, command):
    before = snapshot(repo)
    result = run(command, "--write", ".")
    assert result.exit_code == 0, result.stderr
    after = snapshot(repo)
    changed = sorted(name for name in after if after[name] != before[name])
    if command == "normalize":  # defaults filled in the one request the walk owns
        assert changed == [str(Path("requests") / "a.json")]
        assert "1 file rewritten" in result.stderr
    else:  # FLUX.2 Pro has no successor: nothing to move
        assert changed == []
    assert "1 skipped: no requests" in result.stderr
    assert "package.json" not in result.stderr.replace("1 skipped", "")


def test_check_names_only_request_files(repo):
    result = run("normalize", "--check", ".")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"capspec: would rewrite {Path('requests') / 'a.json'}"
    assert "build" not in result.stderr and "vendor" not in result.stderr
    assert "errors remain" not in result.stderr  # package.json was never judged


def test_a_file_named_on_the_command_line_is_always_rewritten(repo):
    # As with lint: only walks apply the request-document rule and the excludes.
    result = run("normalize", "--check", "vendor/theirs.json")
    assert result.exit_code == 1
    assert "would rewrite vendor/theirs.json" in result.stderr


def test_the_configured_policy_applies_and_the_option_wins(repo):
    put(repo / "requests" / "a.json", DROPPABLE)
    strict = run("normalize", "requests/a.json")
    assert strict.exit_code == 1
    assert "error unsupported_parameter" in strict.stderr
    (repo / "pyproject.toml").write_text('[tool.capspec]\npolicy = "drop"\n', encoding="utf-8")
    dropped = run("normalize", "requests/a.json")
    assert dropped.exit_code == 0, dropped.stderr
    assert "negative_prompt" not in json.loads(dropped.stdout)
    assert "warning parameter_dropped" in dropped.stderr
    assert run("normalize", "--policy", "strict", "requests/a.json").exit_code == 1
    assert run("normalize", "--isolated", "requests/a.json").exit_code == 1


@pytest.mark.parametrize("command", ["normalize", "migrate"])
def test_the_configured_spec_is_the_one_used(repo, command):
    (repo / "pyproject.toml").write_text(
        '[tool.capspec]\nspec = "specs/mine.yaml"\n', encoding="utf-8"
    )
    result = run(command, "requests/a.json")
    assert result.exit_code == 2
    assert "mine.yaml" in result.stderr
    assert run(command, "--isolated", "requests/a.json").exit_code == 0


@pytest.mark.parametrize("command", ["normalize", "migrate"])
def test_a_configuration_error_exits_2_naming_file_and_line(repo, command):
    (repo / "pyproject.toml").write_text('[tool.capspec]\npolicy = "lenient"\n', encoding="utf-8")
    result = run(command, "requests/a.json")
    assert result.exit_code == 2
    assert "pyproject.toml:2:" in result.stderr


def test_migrate_in_a_walk_moves_requests_and_leaves_the_rest(repo):
    put(repo / "requests" / "old.json", SCHNELL)
    result = run("migrate", "--write", ".")
    assert result.exit_code == 0, result.stderr
    moved = json.loads((repo / "requests" / "old.json").read_text(encoding="utf-8"))
    assert moved["model"] != SCHNELL["model"]
    assert json.loads((repo / "package.json").read_text(encoding="utf-8"))["name"] == "app"
    assert json.loads((repo / "build" / "copy.json").read_text(encoding="utf-8")) == FLUX2_PRO


def test_help_names_the_configuration_options():
    for command in ("normalize", "migrate"):
        text = " ".join(run(command, "--help").stdout.split())
        assert "--config FILE Read this configuration file" in text
        assert "--isolated Read no configuration file." in text
        assert "capspec.toml" in text
    assert "or the configuration's" in " ".join(run("normalize", "--help").stdout.split())


@pytest.fixture
def opened(monkeypatch):
    """How many times each file (by name) is opened for reading."""
    from collections import Counter

    from validator.files import _payloads, _sources

    counts: Counter[str] = Counter()
    real = _sources.open_regular

    def counting(path):
        counts[Path(path).name] += 1
        return real(path)

    monkeypatch.setattr(_sources, "open_regular", counting)
    monkeypatch.setattr(_payloads, "open_regular", counting)
    return counts


WALKED = {
    "a.yaml": "# leading comment\nmodel: black-forest-labs/FLUX.2-pro\nprompt: a cat\n"
    "negative_prompt: blur\n",
    "b.json": json.dumps(DROPPABLE) + "\n",
    # Blank lines before the requests, read ahead while the walk decides: kept in place.
    "c.jsonl": "\n  \r\n" + json.dumps(DROPPABLE) + "\n" + json.dumps(FLUX2_PRO) + "\n",
    "d.jsonl": json.dumps({"n": 1}) + "\n",
    "package.json": json.dumps({"name": "app"}) + "\n",
}


@pytest.mark.parametrize("mode", ["--write", "--check", "--diff"])
def test_a_walked_file_is_read_once(tmp_path, monkeypatch, opened, mode):
    monkeypatch.chdir(tmp_path)
    for name, text in WALKED.items():
        (tmp_path / "in" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    result = run("normalize", "--policy", "drop", mode, "in")
    assert result.exit_code == (0 if mode == "--write" else 1), result.stderr
    assert {name: opened[name] for name in WALKED} == dict.fromkeys(WALKED, 1)
    assert "3 files" in result.stderr and "2 skipped: no requests" in result.stderr
    written = {name: (tmp_path / "in" / name).read_bytes().decode() for name in WALKED}
    if mode != "--write":
        assert written == WALKED
        return
    assert written["a.yaml"].startswith("# leading comment\nmodel: black-forest-labs/FLUX.2-pro\n")
    lines = written["c.jsonl"].splitlines(keepends=True)
    assert lines[:2] == ["\n", "  \r\n"]
    assert [json.loads(line)["model"] for line in lines[2:]] == [FLUX2_PRO["model"]] * 2
    for name in ("a.yaml", "b.json", "c.jsonl"):
        assert "negative_prompt" not in written[name]
    assert written["d.jsonl"] == WALKED["d.jsonl"]
    assert written["package.json"] == WALKED["package.json"]


@pytest.mark.parametrize(("name", "text"), [("e.json", '{"model": "x",'), ("f.yaml", "[]: :")])
def test_a_walked_file_that_cannot_be_parsed_is_read_once(tmp_path, opened, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("normalize", "--write", str(tmp_path))
    if "model" in text:  # a broken request file: reported, never rewritten
        assert result.exit_code == 1
        assert f"{name}:1:" in result.stderr and "not rewritten: errors remain" in result.stderr
    else:  # no model key: not a request file
        assert result.exit_code == 0
        assert "1 skipped: no requests" in result.stderr
    assert opened[name] == 1
    assert (tmp_path / name).read_text(encoding="utf-8") == text
