"""How ``capspec lint`` names, finds and filters files, for every spelling of a path.

The lint path handles paths as strings (``os.path``), not ``pathlib`` (start-up:
docs/decisions.md). pathlib normalises a spelling (``./a.json``, ``a//b.json``, a
trailing ``/``, ``.``) where ``os`` keeps it, so each case below pins what the
output is, byte for byte: the names shown (as typed, or joined under the folder
typed), what ``.gitignore``, ``exclude`` and ``per-file-ignores`` leave out, the
configuration found upward from the current folder, the spec a configuration
names, and SARIF's relative URIs. Each case runs through the console script (the
click-free path when it has no option) and through click alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from validator.spec._resources import spec_path

if TYPE_CHECKING:
    from pathlib import Path

FAST = "from validator.cli import main\nmain()"
CLICK = "from validator.cli._app import cli\ncli.main(prog_name='capspec')"

BAD = {"model": "black-forest-labs/FLUX.2-dev", "prompt": "a", "stepz": 1}
M = (
    ":1:58: error unknown_parameter 'stepz' is not a parameter of the Together API"
    " (hint: did you mean 'steps'?)\n"
)
BROKEN = ":1:1: error unreadable_file cannot read {}: a broken symbolic link\n"
MISSING = ":1:1: error unreadable_file cannot read {}: no such file\n"
NONE_OUT = "capspec: no problems in 0 requests (0 files)\n"
NONE_ERR = "capspec: no payload files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml) found\n"
# spec.yaml and notes/package.json hold no request.
WALK = "capspec: 3 errors in 3 requests (4 files; 2 skipped: no requests)\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository: a .gitignore'd folder, an excluded glob, per-file-ignores, links."""
    root = tmp_path_factory.mktemp("spellings")
    for folder in (".git", "sub", "ignored", "excluded", "notes", "dir.json", "conf", "conf2"):
        (root / folder).mkdir()
    text = json.dumps(BAD) + "\n"
    for name in ("top.json", "sub/x.json", "sub/quiet.json", "ignored/y.json", "excluded/z.json"):
        (root / name).write_text(text)
    (root / "notes" / "package.json").write_text('{"name": "x"}\n')
    (root / ".gitignore").write_text("ignored/\n")
    (root / "capspec.toml").write_text(
        'exclude = ["excluded/*.json"]\n'
        "[per-file-ignores]\n"
        '"sub/quiet.json" = ["unknown_parameter"]\n'
    )
    (root / "link.json").symlink_to("sub/x.json")
    (root / "broken.json").symlink_to("nowhere")
    # A configuration naming its spec with an odd spelling, and a copy of the bundled spec.
    (root / "conf" / "capspec.toml").write_text('spec = "./specs//bad.yaml/"\n')
    (root / "conf2" / "capspec.toml").write_text('spec = "../sub/"\n')
    (root / "spec.yaml").write_bytes(spec_path().read_bytes())
    return root


def run(code: str, argv: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "CAPSPEC_MAX_SIZE"}}
    env["NO_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


# argv (ROOT stands for the repository's absolute path), the folder to run in, the exit
# code, standard output and standard error.
CASES: list[tuple[list[str], str, int, str, str]] = [
    (
        ["."],
        ".",
        1,
        "./broken.json" + BROKEN.format("./broken.json") + "link.json" + M + "top.json" + M + WALK,
        "",
    ),
    (
        ["./"],
        ".",
        1,
        "./broken.json" + BROKEN.format("./broken.json") + "link.json" + M + "top.json" + M + WALK,
        "",
    ),
    # An empty path is a folder to stat (pathlib's "."), but scandir("") fails.
    (
        [""],
        ".",
        1,
        (
            ":1:1: error unreadable_file cannot read : no such file or directory\n"
            "capspec: 1 error in 0 requests (1 file)\n"
        ),
        "",
    ),
    (
        ["ROOT"],
        ".",
        1,
        "ROOT/broken.json"
        + BROKEN.format("ROOT/broken.json")
        + "ROOT/link.json"
        + M
        + "ROOT/top.json"
        + M
        + WALK,
        "",
    ),
    (
        ["ROOT/"],
        ".",
        1,
        "ROOT/broken.json"
        + BROKEN.format("ROOT/broken.json")
        + "ROOT/link.json"
        + M
        + "ROOT/top.json"
        + M
        + WALK,
        "",
    ),
    (["./sub/"], ".", 1, "sub/x.json" + M + "capspec: 1 error in 2 requests (2 files)\n", ""),
    (["sub/"], ".", 1, "sub/x.json" + M + "capspec: 1 error in 2 requests (2 files)\n", ""),
    (["sub//"], ".", 1, "sub//x.json" + M + "capspec: 1 error in 2 requests (2 files)\n", ""),
    (["sub/."], ".", 1, "sub/./x.json" + M + "capspec: 1 error in 2 requests (2 files)\n", ""),
    (
        ["ROOT/sub"],
        ".",
        1,
        "ROOT/sub/x.json" + M + "capspec: 1 error in 2 requests (2 files)\n",
        "",
    ),
    (["sub//x.json"], ".", 1, "sub//x.json" + M + "capspec: 1 error in 1 request (1 file)\n", ""),
    (["./sub/x.json"], ".", 1, "./sub/x.json" + M + "capspec: 1 error in 1 request (1 file)\n", ""),
    (["sub/x.json/"], ".", 1, "sub/x.json/" + M + "capspec: 1 error in 1 request (1 file)\n", ""),
    (
        ["ROOT//sub/./x.json"],
        ".",
        1,
        "ROOT//sub/./x.json" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (
        ["sub/x.json", "./sub/x.json", "sub//x.json", "link.json"],
        ".",
        1,
        "sub/x.json" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (
        ["sub/quiet.json", "./sub//quiet.json/"],
        ".",
        0,
        "capspec: no problems in 1 request (1 file)\n",
        "",
    ),
    (["ignored"], ".", 0, NONE_OUT, NONE_ERR),
    (["./ignored/"], ".", 0, NONE_OUT, NONE_ERR),
    (
        ["ignored/y.json"],
        ".",
        1,
        "ignored/y.json" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (["excluded/"], ".", 0, NONE_OUT, NONE_ERR),
    (
        ["excluded//z.json"],
        ".",
        1,
        "excluded//z.json" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (
        ["missing.json"],
        ".",
        1,
        "missing.json"
        + MISSING.format("missing.json")
        + "capspec: 1 error in 0 requests (1 file)\n",
        "",
    ),
    (
        ["missing/"],
        ".",
        1,
        "missing/" + MISSING.format("missing/") + "capspec: 1 error in 0 requests (1 file)\n",
        "",
    ),
    (
        ["missing.json", "./missing.json", "missing.json/"],
        ".",
        1,
        "./missing.json"
        + MISSING.format("./missing.json")
        + "capspec: 1 error in 0 requests (1 file)\n",
        "",
    ),
    (
        ["broken.json"],
        ".",
        1,
        "broken.json" + BROKEN.format("broken.json") + "capspec: 1 error in 0 requests (1 file)\n",
        "",
    ),
    (
        ["dir.json/"],
        ".",
        1,
        (
            "dir.json/:1:1: error unreadable_file cannot read dir.json/: "
            "is a directory, not a payload file\ncapspec: 1 error in 0 requests (1 file)\n"
        ),
        "",
    ),
    (
        ["top.json/x.json"],
        ".",
        1,
        (
            "top.json/x.json:1:1: error unreadable_file cannot read "
            "top.json/x.json: not a directory\ncapspec: 1 error in 0 requests (1 file)\n"
        ),
        "",
    ),
    # From a subfolder: the configuration is found upward, its patterns relative to it.
    (["."], "sub", 1, "x.json" + M + "capspec: 1 error in 2 requests (2 files)\n", ""),
    (
        ["./quiet.json", "..//sub/quiet.json"],
        "sub",
        0,
        "capspec: no problems in 1 request (1 file)\n",
        "",
    ),
    (
        [".."],
        "sub",
        1,
        "../broken.json"
        + BROKEN.format("../broken.json")
        + "../link.json"
        + M
        + "../top.json"
        + M
        + WALK,
        "",
    ),
    (["../excluded/"], "sub", 0, NONE_OUT, NONE_ERR),
    (["../ignored/../ignored"], "sub", 0, NONE_OUT, NONE_ERR),
    # A configuration's spec, joined to its folder as pathlib joins it.
    (
        ["../top.json"],
        "conf",
        2,
        "",
        (
            "ROOT/conf/specs/bad.yaml: cannot read the spec: no such "
            "file or directory\ncapspec: the capability spec ROOT/conf/specs/bad.yaml cannot be read\n"
        ),
    ),
    (
        ["../top.json"],
        "conf2",
        2,
        "",
        (
            "ROOT/conf2/../sub: cannot read the spec: is a directory\n"
            "capspec: the capability spec ROOT/conf2/../sub cannot be read\n"
        ),
    ),
]


def _norm(text: str, root: Path) -> str:
    return text.replace(str(root), "ROOT")


def _argv(argv: list[str], root: Path) -> list[str]:
    return [arg.replace("ROOT", str(root)) for arg in argv]


@pytest.mark.parametrize(("argv", "where", "code", "out", "err"), CASES, ids=repr)
def test_each_spelling_of_a_path_lints_as_it_did(repo, argv, where, code, out, err):
    for script in (FAST, CLICK):
        status, stdout, stderr = run(script, ["lint", *_argv(argv, repo)], repo / where)
        assert (status, _norm(stdout, repo), _norm(stderr, repo)) == (code, out, err), script


OPTION_CASES: list[tuple[list[str], str, int, str, str]] = [
    # --force-exclude: a named file is filtered as a walk's would be.
    (
        ["--force-exclude", "ignored/y.json", "./excluded//z.json", "sub/x.json/"],
        ".",
        1,
        "sub/x.json/" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (
        ["--force-exclude", "ROOT/ignored//y.json", "ROOT/excluded/z.json"],
        "sub",
        0,
        NONE_OUT,
        NONE_ERR,
    ),
    # --spec: shown as typed, read as pathlib reads it (a trailing slash dropped).
    (
        ["--spec", "spec.yaml/", "top.json"],
        ".",
        1,
        "top.json" + M + "capspec: 1 error in 1 request (1 file)\n",
        "",
    ),
    (
        ["--spec", "./nope//spec.yaml/", "top.json"],
        ".",
        2,
        "",
        (
            "./nope//spec.yaml/: cannot read the spec: no such file or directory\n"
            "capspec: the capability spec ./nope//spec.yaml/ cannot be read\n"
        ),
    ),
    (
        ["--isolated", "sub/quiet.json", "excluded/"],
        ".",
        1,
        "excluded/z.json"
        + M
        + "sub/quiet.json"
        + M
        + "capspec: 2 errors in 2 requests (2 files)\n",
        "",
    ),
    (
        ["--config", "..//./capspec.toml", "./"],
        "sub",
        1,
        "x.json" + M + "capspec: 1 error in 2 requests (2 files)\n",
        "",
    ),
    (
        ["--format", "github", "../top.json", "./x.json", "x.json/"],
        "sub",
        1,
        (
            "::error file=../top.json,line=1,col=58,title=unknown_parameter::'stepz' is not a "
            "parameter of the Together API (hint: did you mean 'steps'?)\n"
            "::error file=./x.json,line=1,col=58,title=unknown_parameter::'stepz' is not a "
            "parameter of the Together API (hint: did you mean 'steps'?)\n"
        ),
        "",
    ),
]


@pytest.mark.parametrize(("argv", "where", "code", "out", "err"), OPTION_CASES, ids=repr)
def test_each_spelling_of_a_path_lints_as_it_did_with_options(repo, argv, where, code, out, err):
    status, stdout, stderr = run(FAST, ["lint", *_argv(argv, repo)], repo / where)
    assert (status, _norm(stdout, repo), _norm(stderr, repo)) == (code, out, err)


@pytest.mark.parametrize(
    ("argv", "where", "files"),
    [
        (["."], ".", ["./broken.json", "link.json", "top.json"]),
        # x.json is link.json's target, met first in the walk.
        (
            ["..", "..//top.json", "x.json/"],
            "sub",
            ["../broken.json", "../link.json", "../top.json"],
        ),
        (["ROOT//sub/", "ROOT/missing/"], "notes", ["ROOT//sub/x.json", "ROOT/missing/"]),
    ],
)
def test_json_reports_name_files_as_typed(repo, argv, where, files):
    status, stdout, _ = run(FAST, ["lint", "--format", "json", *_argv(argv, repo)], repo / where)
    assert status == 1
    found = [_norm(p["file"], repo) for p in json.loads(stdout)["problems"]]
    assert found == files


@pytest.mark.parametrize(
    ("argv", "where", "uris"),
    [
        (["."], "sub", [("sub/x.json", True)]),
        (
            ["./x.json/", "..//top.json", "../broken.json"],
            "sub",
            [("top.json", True), ("broken.json", True), ("sub/x.json", True)],
        ),
        (["ROOT/sub//x.json"], "notes", [("sub/x.json", True)]),
    ],
)
def test_sarif_uris_are_relative_to_the_repository(repo, argv, where, uris):
    status, stdout, _ = run(FAST, ["lint", "--format", "sarif", *_argv(argv, repo)], repo / where)
    assert status == 1
    found = [
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["artifactLocation"].get("uriBaseId") == "%SRCROOT%",
        )
        for run_ in json.loads(stdout)["runs"]
        for result in run_["results"]
        for loc in result["locations"]
    ]
    assert found == uris


def test_sarif_outside_a_repository_gives_absolute_uris(tmp_path):
    (tmp_path / "a b.json").write_text(json.dumps(BAD))
    status, stdout, _ = run(FAST, ["lint", "--format", "sarif", ".//a b.json"], tmp_path)
    assert status == 1
    (result,) = json.loads(stdout)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    # tmp_path is in no repository, so the current folder is the root.
    assert location == {"uri": "a%20b.json", "uriBaseId": "%SRCROOT%"}
