"""``normalize --write`` and ``migrate --write`` keep a YAML file's comments.

``validator.files._comments.dump`` writes the new documents and puts each comment
of the old text back beside, or above, the entry it annotated; a comment whose
entry is gone goes with it.
"""

from __future__ import annotations

import string

import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from validator.cli._app import cli
from validator.files import _comments
from validator.files._comments import dump
from validator.files._yaml import load_documents

SCHNELL = "black-forest-labs/FLUX.1-schnell"
SUCCESSOR = "black-forest-labs/FLUX.2-dev"  # what Schnell's lifecycle names


def groups_of(text: str) -> dict[int, object]:
    return {g: d.value for g, d in enumerate(load_documents(text)) if d.value is not None}


def plain(groups: dict[int, object]) -> str:
    return yaml.safe_dump_all(
        list(groups.values()),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        explicit_start=len(groups) > 1,
        width=1 << 30,
    )


def test_a_file_without_comments_is_dumped_as_before():
    text = "model: m\nprompt: 'a'\n---\nmodel: n\nsize: [1, 2]\n"
    groups = groups_of(text)
    assert dump(groups, text) == plain(groups)


def test_comments_beside_and_between_keys_stay_with_their_keys():
    text = (
        "# header\n"
        "model: m   # the model\n"
        "# about the prompt\n"
        "prompt: p\n"
        "negative_prompt: blur  # dropped with its key\n"
        "steps: 4 # fast\n"
        "# at the end\n"
    )
    groups = groups_of(text)
    groups[0] = {"model": "new", "prompt": "p", "steps": 4, "n": 1}
    assert dump(groups, text) == (
        "# header\n"
        "model: new   # the model\n"
        "# about the prompt\n"
        "prompt: p\n"
        "steps: 4 # fast\n"
        "n: 1\n"
        "# at the end\n"
    )


def test_a_comment_above_a_dropped_key_goes_with_it_and_a_moved_key_keeps_its_own():
    text = (
        "model: m\n# why no negative prompt\nnegative_prompt: x\nwidth: 512  # small\nprompt: p\n"
    )
    groups = groups_of(text)
    groups[0] = {"model": "m", "prompt": "p", "width": 512}
    assert dump(groups, text) == "model: m\nprompt: p\nwidth: 512  # small\n"


def test_comments_between_documents_stay_between_them():
    text = (
        "# file header\n"
        "model: a\n"
        "# last words on the first request\n"
        "\n"
        "# before the second\n"
        "---  # the second\n"
        "# inside the second\n"
        "model: b  # b\n"
        "...\n"
        "---\n"
        "model: c\n"
        "\n"
        "# trailing notes\n"
    )
    groups = groups_of(text)
    assert dump(groups, text) == (
        "# file header\n"
        "---\n"
        "model: a\n"
        "# last words on the first request\n"
        "\n"
        "# before the second\n"
        "---  # the second\n"
        "# inside the second\n"
        "model: b  # b\n"
        "---\n"
        "model: c\n"
        "\n"
        "# trailing notes\n"
    )


def test_nested_lists_and_list_documents_keep_their_comments():
    text = (
        "- model: a  # first\n"
        "  image_loras:  # two of them\n"
        "    # the style\n"
        "    - path: x  # p\n"
        "      scale: 1\n"
        "    - path: y\n"
        "# the second request\n"
        "- model: b\n"
    )
    groups = groups_of(text)
    assert dump(groups, text) == (
        "- model: a  # first\n"
        "  image_loras:  # two of them\n"
        "  # the style\n"
        "  - path: x  # p\n"
        "    scale: 1\n"
        "  - path: y\n"
        "# the second request\n"
        "- model: b\n"
    )


def test_a_hash_inside_a_value_is_not_a_comment():
    text = 'prompt: "a # b"  # real\nnote: |\n  line # kept in the value\nmodel: m\n'
    groups = groups_of(text)
    written = dump(groups, text)
    assert written == "prompt: 'a # b'  # real\nnote: 'line # kept in the value\n\n  '\nmodel: m\n"
    assert groups_of(written) == groups


def test_crlf_comments_lose_their_carriage_returns_like_the_rest():
    text = "# h\r\nmodel: m  # c\r\n# above\r\nprompt: p\r\n"
    assert dump(groups_of(text), text) == "# h\nmodel: m  # c\n# above\nprompt: p\n"


def test_documents_dumped_one_by_one_make_what_they_make_dumped_at_once():
    groups = {0: {"model": "a", "size": [1, {"b": None}]}, 1: ["x", {"y": "0o17"}], 2: {}}
    pieces = [_comments._dump([value], explicit=True) for value in groups.values()]
    assert "".join(pieces) == plain(groups)
    text = "# c\n" + plain(groups)
    assert dump(groups, text) == text


def test_when_the_comments_cannot_be_placed_only_the_leading_ones_are_kept(monkeypatch):
    monkeypatch.setattr(_comments, "_same", lambda text, groups, plain: False)
    text = "# header\nmodel: m  # c\n"
    groups = groups_of(text)
    assert dump(groups, text) == "# header\n" + plain(groups)


# Names that YAML reads as strings (``true``, ``null`` would not be): a letter first.
KEYS = st.lists(
    st.text(string.ascii_lowercase, max_size=6).map(lambda name: f"k{name}"),
    min_size=1,
    max_size=8,
    unique=True,
)
WORDS = st.text(string.ascii_letters + " #:'\"", max_size=12)


@given(keys=KEYS, data=st.data())
def test_every_comment_of_a_surviving_key_survives_beside_or_above_it(keys, data):
    # Each key may have a comment above it and one beside it, named after it; a
    # random set of keys is kept, in a random order.
    beside = {k: data.draw(st.booleans(), label=f"beside {k}") for k in keys}
    above = {k: data.draw(st.booleans(), label=f"above {k}") for k in keys}
    words = data.draw(WORDS, label="words")
    lines = []
    for key in keys:
        if above[key]:
            lines.append(f"# {key}-above {words}")
        value = data.draw(st.integers() | st.text(string.ascii_letters, max_size=5), label=key)
        line = f"{key}: {yaml.safe_dump(value).splitlines()[0]}"
        lines.append(f"{line}  # {key}-beside {words}" if beside[key] else line)
    text = "\n".join(lines) + "\n"
    (before,) = groups_of(text).values()
    kept = data.draw(st.lists(st.sampled_from(keys), unique=True, min_size=1), label="kept")
    after = {key: before[key] for key in kept}
    written = dump({0: after}, text)
    assert groups_of(written) == {0: after}
    out = written.splitlines()
    first = keys[0]  # the comment above the first key is the file's header: always kept
    if above[first]:
        assert out[0] == f"# {first}-above {words}"
    for key in keys:
        at = [i for i, line in enumerate(out) if line.startswith(f"{key}: ")]
        if key not in after:
            assert not at
            assert f"# {key}-beside" not in written
            assert key == first or f"# {key}-above" not in written
            continue
        (i,) = at
        if beside[key]:
            assert out[i].endswith(f"  # {key}-beside {words}")
        if above[key] and key != first:
            assert out[i - 1] == f"# {key}-above {words}"


def test_migrate_write_keeps_the_comments_of_a_request_file(tmp_path):
    path = tmp_path / "requests.yaml"
    path.write_text(
        "# Requests for the landing page\n"
        f"model: {SCHNELL}  # the cheapest\n"
        "# what we draw\n"
        "prompt: a lighthouse at dusk   # v2\n"
        "negative_prompt: blur  # FLUX.2 refuses it\n"
        "---\n"
        "# the second request\n"
        f"model: {SCHNELL}\n"
        "prompt: a cat  # simple\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["migrate", "--write", str(path)])
    assert result.exit_code == 0, result.stderr
    written = path.read_text(encoding="utf-8")
    assert written.startswith(
        "# Requests for the landing page\n"
        "---\n"
        f"model: {SUCCESSOR}  # the cheapest\n"
        "# what we draw\n"
        "prompt: a lighthouse at dusk   # v2\n"
    )
    assert f"---\n# the second request\nmodel: {SUCCESSOR}\nprompt: a cat  # simple\n" in written
    assert "negative_prompt" not in written and "refuses" not in written
    again = CliRunner().invoke(cli, ["migrate", "--check", str(path)])
    assert again.exit_code == 0, again.stderr


def test_normalize_diff_shows_comments_as_unchanged_lines(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("model: black-forest-labs/FLUX.2-pro  # pinned\nprompt: p\n", encoding="utf-8")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["normalize", "--diff", str(path)])
    assert result.exit_code == 1, result.stderr
    assert " model: black-forest-labs/FLUX.2-pro  # pinned\n" in result.stdout
    assert "-model" not in result.stdout
    assert path.read_bytes() == before


def test_a_renamed_key_keeps_its_comments():
    text = "model: m\n# how strong\nguidance: 3  # strong\nsteps: 28\n"
    groups = groups_of(text)
    groups[0] = {"model": "m", "guidance_scale": 3, "steps": 28, "n": 1}
    renames = {0: {("guidance",): ("guidance_scale",)}}
    assert dump(groups, text, renames) == (
        "model: m\n# how strong\nguidance_scale: 3  # strong\nsteps: 28\nn: 1\n"
    )
    # Not told of the rename: the comments are taken for those of a dropped key.
    assert dump(groups, text) == "model: m\nguidance_scale: 3\nsteps: 28\nn: 1\n"


def renamed_problem(param):
    from validator import Problem

    return Problem("renamed_parameter", "warning", param, f"$.{param}", "renamed", None)


def test_the_new_name_of_a_renamed_key_is_the_new_key_in_its_place():
    before = {"model": "m", "a": 1, "old1": 2, "gone": 3, "old2": 4, "b": 5}
    after = {"model": "m", "a": 1, "new1": 2, "new2": 4, "b": 5, "filled": 0}
    problems = [renamed_problem("old1"), renamed_problem("old2")]
    assert _comments.renamed(before, after, problems) == {"old1": "new1", "old2": "new2"}
    # Only what the rewrite reports as renamed: a dropped key is not renamed to a filled one.
    assert _comments.renamed({"x": 1, "gone": 2}, {"x": 1, "filled": 0}, []) == {}
    assert _comments.renamed([1], [1], problems) == {}


def test_migrate_write_keeps_the_comment_of_a_renamed_image_input(tmp_path):
    path = tmp_path / "edit.yaml"
    path.write_text(
        "model: black-forest-labs/FLUX.1-kontext-pro\n"
        "prompt: a hat\n"
        "# the photo to edit\n"
        "image_url: https://example.com/a.png  # from the shoot\n",
        encoding="utf-8",
    )
    args = ["migrate", "--to", "black-forest-labs/FLUX.2-dev", "--write", str(path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "renamed_parameter" in result.stderr
    assert (
        "# the photo to edit\nreference_images:  # from the shoot\n- https://example.com/a.png\n"
    ) in path.read_text(encoding="utf-8")


def test_normalize_fix_keeps_the_comment_of_an_old_parameter_name(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(
        "model: black-forest-labs/FLUX.2-dev\nprompt: a hat\nguidance: 3  # strong\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["normalize", "--policy", "fix", "--write", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "prompt: a hat\nguidance_scale: 3  # strong\n" in path.read_text(encoding="utf-8")


def test_comments_after_text_beyond_ascii_keep_their_places():
    text = "# ヘッダー\nmodel: m  # モデル\nprompt: 猫とビール 🍺  # 絵文字\n# 上\nsteps: 4\n"
    groups = groups_of(text)
    groups[0]["steps"] = 8
    assert dump(groups, text) == text.replace("steps: 4", "steps: 8")
