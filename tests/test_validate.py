"""validate(): codes, messages, hints and paths for a person; never raising."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import validator
from validator import Problem
from validator.spec._values import did_you_mean

SCHNELL = "black-forest-labs/FLUX.1-schnell"
FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_a_valid_request_has_no_problems():
    assert (
        validator.validate({"model": FLUX2_PRO, "prompt": "a cat", "width": 1024, "height": 768})
        == []
    )


def test_problem_is_an_immutable_record():
    problem = validator.validate({"model": FLUX2_PRO, "prompt": "a cat", "steps": 20})[0]
    assert isinstance(problem, Problem)
    with pytest.raises(AttributeError):
        problem.code = "x"  # type: ignore[misc]
    assert problem.to_dict() == {
        "code": "unsupported_parameter",
        "severity": "error",
        "param": "steps",
        "path": "$.steps",
        "message": problem.message,
        "hint": None,
    }


def test_unsupported_names_the_model_and_who_takes_it():
    problem = only(
        validator.validate({"model": FLUX2_PRO, "prompt": "x", "negative_prompt": "blurry"}),
        "unsupported_parameter",
    )
    assert FLUX2_PRO in problem.message
    assert "FLUX.1.1 Pro" in problem.message  # a model that takes it
    assert problem.param == "negative_prompt"


def test_unsupported_hints_the_alternative_parameter():
    problems = validator.validate({"model": KONTEXT, "prompt": "x", "width": 1024, "height": 768})
    assert [p.hint for p in problems] == [
        "use aspect_ratio '4:3' instead, the nearest documented ratio to 1024x768"
    ] * 2
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "aspect_ratio": "16:9"}),
        "unsupported_parameter",
    )
    assert problem.hint == "use width and height instead"


def test_unknown_parameter_suggests_the_nearest_name():
    assert (
        only(
            validator.validate({"model": SCHNELL, "prompt": "x", "widht": 1024}),
            "unknown_parameter",
        ).hint
        == "did you mean 'width'?"
    )
    assert (
        only(
            validator.validate({"model": SCHNELL, "prompt": "x", "Steps": 4}), "unknown_parameter"
        ).hint
        == "did you mean 'steps'?"
    )
    hint = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "size": "1024x1024"}),
        "unknown_parameter",
    ).hint
    assert hint is not None and "width and height" in hint


def test_unknown_model_checks_nothing_else_and_hints_the_id():
    problems = validator.validate(
        {"model": "black-forest-labs/flux.2-PRO", "steps": "many", "bogus": 1}
    )
    assert [(p.code, p.param) for p in problems] == [("unknown_model", "model")]
    assert "'black-forest-labs/FLUX.2-pro'" in (problems[0].hint or "")
    assert "FLUX.2-pro'" in (
        validator.validate({"model": "FLUX.2-pro", "prompt": "x"})[0].hint or ""
    )


def test_every_problem_in_a_request_is_reported():
    request = {
        "model": SCHNELL,
        "prompt": "",
        "width": 1001,
        "n": 9,
        "seed": "42",
        "output_format": "PNG",
        "foo": 1,
    }
    codes = sorted(p.code for p in validator.validate(request) if p.severity == "error")
    assert codes == [
        "invalid_type",
        "invalid_value",
        "not_multiple_of",
        "out_of_range",
        "out_of_range",
        "unknown_parameter",
    ]


def test_messages_name_the_value_and_what_is_allowed():
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "width": 4096}), "out_of_range"
    )
    assert (
        problem.message
        == f"width 4096 is above the maximum 1920 for {SCHNELL} (allowed: 256 to 1920, multiples of 8)"
    )
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "width": 1001}), "not_multiple_of"
    )
    assert problem.hint == "use 1000 or 1008"
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "output_format": "PNG"}),
        "invalid_value",
    )
    assert "'jpeg', 'png'" in problem.message
    assert problem.hint == "did you mean 'png'?"
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "seed": "42"}), "invalid_type"
    )
    assert problem.hint == "write 42 without quotes"


def test_nested_paths_point_into_arrays():
    frames = [{"input_image": "u"}, {"frame": "last"}, {"input_image": 3}]
    request = {"model": "kwaivgI/kling-2.1-pro", "media": {"frame_images": frames}}
    paths = [(p.code, p.path) for p in validator.validate(request)]
    assert paths == [
        ("missing_required", "$.media.frame_images[1].input_image"),
        ("invalid_type", "$.media.frame_images[2].input_image"),
    ]


def test_kling_needs_frame_images_and_a_prompt_except_where_skills_says_not():
    # Skills video models: "No prompt required: Kling 2.1 Standard/Pro, Kling 1.6 Pro".
    # Image-to-video models need a keyframe, in media (current) or at the top level.
    (missing,) = validator.validate({"model": "kwaivgI/kling-2.1-pro"})
    assert (missing.code, missing.path) == ("missing_required", "$")
    assert "media.frame_images, frame_images" in missing.message
    frames = [{"input_image": "https://e.x/a.jpeg"}]
    assert (
        validator.validate({"model": "kwaivgI/kling-2.1-pro", "media": {"frame_images": frames}})
        == []
    )
    (old,) = validator.validate({"model": "kwaivgI/kling-2.1-pro", "frame_images": frames})
    assert (old.code, old.severity, old.hint) == (
        "deprecated_parameter",
        "warning",
        "use media.frame_images instead",
    )
    # Models with a prompt may generate from text alone (a live app sends that body).
    assert [
        (p.code, p.param) for p in validator.validate({"model": "kwaivgI/kling-2.0-master"})
    ] == [("missing_required", "prompt")]


@pytest.mark.parametrize(
    ("model", "other", "nearest"),
    [
        ("kwaivgI/kling-2.1-master", (1280, 720), (1920, 1080)),
        ("kwaivgI/kling-1.6-standard", (720, 1280), (1080, 1920)),
        ("kwaivgI/kling-2.0-master", (1920, 1080), (1280, 720)),
    ],
)
def test_a_kling_size_off_its_listed_sizes_is_a_warning_naming_the_nearest(model, other, nearest):
    # Skills' video model table lists three sizes per Kling model; no refusal of
    # another size is known, so only a warning (docs/decisions.md, Kling sizes).
    body = {"model": model, "prompt": "a boat", "width": nearest[0], "height": nearest[1]}
    assert validator.validate(body) == []
    body |= {"width": other[0], "height": other[1]}
    (problem,) = validator.validate(body)
    assert (problem.code, problem.severity, problem.param) == (
        "not_recommended",
        "warning",
        "width",
    )
    assert problem.message.startswith(
        f"{other[0]}x{other[1]} is not among the sizes listed for {model}: "
    )
    assert problem.hint == f"the nearest is {nearest[0]}x{nearest[1]}"
    # strict sends it as it is (a warning is no error); fix moves it onto the list.
    strict = validator.normalize(body)
    assert (strict.ok, strict.request["width"], strict.request["height"]) == (True, *other)
    fixed = validator.normalize(body, policy="fix").request
    assert (fixed["width"], fixed["height"]) == nearest
    assert validator.validate(fixed) == []


def test_lifecycle_unlisted_is_a_warning_removed_is_an_error_and_both_name_a_successor():
    # No longer listed (skills, 2026-10-07): the API may still answer it.
    retired = validator.validate({"model": SCHNELL, "prompt": "x"})
    assert [(p.code, p.severity) for p in retired] == [("retired_model", "warning")]
    assert "unlisted by 2026-10-07" in retired[0].message
    assert retired[0].hint == (
        "use black-forest-labs/FLUX.2-dev instead; capspec migrate rewrites the request for it"
    )
    # Removed from the serverless catalogue as deprecated, on the same kind of evidence
    # for FLUX.1 Dev (2026-02-27) and FLUX.1 Krea Dev (2026-05-27): refused.
    for model, date in (
        ("black-forest-labs/FLUX.1-dev", "2026-02-27"),
        ("black-forest-labs/FLUX.1-krea-dev", "2026-05-27"),
    ):
        problems = validator.validate({"model": model, "prompt": "x"})
        assert [(p.code, p.severity) for p in problems] == [("retired_model", "error")]
        assert f"retired since {date}" in problems[0].message
        assert "the API refuses it" in problems[0].message
        assert problems[0].hint == (
            "use black-forest-labs/FLUX.2-dev instead; capspec migrate rewrites the request for it"
        )
    deprecated = validator.validate({"model": "google/imagen-4.0-fast", "prompt": "x"})
    assert [(p.code, p.severity) for p in deprecated] == [("deprecated_model", "warning")]
    assert deprecated[0].hint == (
        "use google/flash-image-2.5 instead; capspec migrate rewrites the request for it"
    )


def test_ids_together_served_and_dropped_are_known_with_a_successor():
    for tool in ("canny", "depth", "redux"):
        model = f"black-forest-labs/FLUX.1-{tool}"
        # The body a 2024-25 app sent (public code calling FLUX.1-depth).
        request = {
            "model": model,
            "prompt": "a living room",
            "image_url": "https://example.com/room.jpg",
            "width": 1024,
            "height": 1024,
            "steps": 28,
            "guidance_scale": 8,
            "n": 1,
            "output_format": "png",
            "response_format": "url",
        }
        problems = validator.validate(request)
        assert [(p.code, p.severity) for p in problems] == [("retired_model", "warning")]
        assert problems[0].hint == (
            "use black-forest-labs/FLUX.2-flex instead; capspec migrate rewrites the request for it"
        )
        # The successor takes the same body: migrating changes only the model (and
        # fills the one default the body lacks).
        moved = {**request, "model": "black-forest-labs/FLUX.2-flex"}
        assert [p for p in validator.validate(moved) if p.severity == "error"] == []
        migrated = validator.migrate(request)
        assert migrated.request == {**moved, "disable_safety_checker": False}
        assert [p.param for p in migrated.problems] == ["model"]


def test_did_you_mean_suggests_served_models_only():
    served = {m.id for m in validator.load_spec().models.values() if m.lifecycle.served}
    retired = [m for m in validator.load_spec().models.values() if not m.lifecycle.served]
    for model in retired:
        typo = model.id[:-1] + ("x" if model.id[-1] != "x" else "y")
        (problem,) = validator.validate({"model": typo, "prompt": "x"})
        assert problem.code == "unknown_model"
        named = re.findall(r"'([^']+/[^']+)'", problem.hint or "")
        assert set(named) <= served, (typo, problem.hint)
    # The same id but for case or namespace is named, with where to go instead.
    (problem,) = validator.validate({"model": "FLUX.1-depth", "prompt": "x"})
    assert problem.hint == (
        "did you mean 'black-forest-labs/FLUX.1-depth'? It is retired; "
        "use black-forest-labs/FLUX.2-flex instead"
    )


def test_advice_is_a_warning_not_an_error():
    problems = validator.validate(
        {"model": "black-forest-labs/FLUX.2-flex", "prompt": "x", "width": 2000}
    )
    assert [(p.code, p.severity) for p in problems] == [("not_recommended", "warning")]
    assert "1920" in problems[0].message


@pytest.mark.parametrize(
    "request_",
    [
        None,
        42,
        "a request",
        [],
        [{}],
        1.5,
        True,
        b"bytes",
        {1, 2},
        {"model": None},
        {"model": 3},
        {"model": ["x"]},
        {"model": {"a": 1}},
        {"model": SCHNELL, "prompt": "x", 1: 2, None: 3, (1, 2): 4},
        {"model": SCHNELL, "prompt": "\ud800", "\udfff": 1},
        {
            "model": SCHNELL,
            "prompt": "x",
            "width": 10**400,
            "height": -(10**400),
            "n": 2**64,
            "seed": 2**64,
        },
        {
            "model": SCHNELL,
            "prompt": "x",
            "width": float("nan"),
            "height": float("inf"),
            "seed": float("-inf"),
        },
        {
            "model": "kwaivgI/kling-2.1-pro",
            "frame_images": [None, 1, "x", [], {"input_image": None, "frame": {}}],
        },
    ],
)
def test_validate_never_raises(request_):
    problems = validator.validate(request_)
    assert problems
    assert all(p.code in validator.CODES and p.path.startswith("$") for p in problems)


def test_huge_values_are_summarised_not_echoed():
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x", "width": 10**400}), "out_of_range"
    )
    assert "integer of 401 digits" in problem.message
    problem = only(
        validator.validate({"model": SCHNELL, "prompt": "x" * 5_000_000}), "out_of_range"
    )
    assert len(problem.message) < 200 and "5,000,000 characters" in problem.message


def test_spec_can_be_a_path_or_a_spec(tmp_path):
    from pathlib import Path

    minimal = Path(__file__).parent / "specs" / "minimal.yaml"
    assert validator.validate({"model": "acme/one", "prompt": "x"}, spec=str(minimal)) == []
    spec = validator.load_spec(minimal)
    assert [p.code for p in validator.validate({"model": SCHNELL, "prompt": "x"}, spec=spec)] == [
        "unknown_model"
    ]


# --- did you mean ------------------------------------------------------------------------

_WORDS = st.text(alphabet="abcAB_", min_size=0, max_size=7)


def _within_one_edit(a: str, b: str) -> bool:
    """The reference: equal after deleting at most one character from each (lowercased)."""
    a, b = a.lower(), b.lower()
    deletes = lambda w: {w, *(w[:i] + w[i + 1 :] for i in range(len(w)))}  # noqa: E731
    return bool(deletes(a) & deletes(b))


@given(name=_WORDS, candidates=st.lists(_WORDS, min_size=1, max_size=6, unique=True))
def test_did_you_mean_suggests_exactly_when_a_candidate_is_one_edit_away(name, candidates):
    hint = did_you_mean(name, candidates)
    if name in candidates:
        return  # an exact name needs no hint, whatever else is near
    close = [c for c in candidates if _within_one_edit(name, c)]
    assert (hint is not None) == bool(close), (name, candidates, hint)
    if hint is not None:
        assert any(hint == f"did you mean '{c}'?" for c in close)


def test_did_you_mean_examples():
    assert did_you_mean("widht", ["width", "height"]) == "did you mean 'width'?"
    assert did_you_mean("PNG", ["jpeg", "png"]) == "did you mean 'png'?"
    assert did_you_mean("b64_json", ["url", "base64"]) is None
    assert did_you_mean("x" * 65, ["x" * 65]) is None


# --- a string that cannot be sent ---------------------------------------------------


def test_a_lone_surrogate_is_an_error_naming_the_code_point_and_its_index():
    problem = only(
        validator.validate({"model": FLUX2_PRO, "prompt": "a\ud800b"}), "invalid_unicode"
    )
    assert problem.severity == "error"
    assert problem.path == "$.prompt"
    assert problem.message == (
        "prompt has a lone surrogate U+D800 at index 1, which cannot be encoded as UTF-8"
    )
    assert problem.hint == "remove it or replace it with U+FFFD, the replacement character"


def test_several_lone_surrogates_are_counted_and_the_first_is_named():
    problem = only(
        validator.validate({"model": FLUX2_PRO, "prompt": "ok \udc00 \udfff \udc01"}),
        "invalid_unicode",
    )
    assert problem.message == (
        "prompt has 3 lone surrogates, the first U+DC00 at index 3; they cannot be encoded as UTF-8"
    )


def test_an_unjoined_surrogate_pair_names_the_character_it_should_be():
    problem = only(
        validator.validate({"model": FLUX2_PRO, "prompt": "cat \ud83d\ude00"}), "invalid_unicode"
    )
    assert "U+D83D U+DE00 at index 4" in problem.message
    assert "the one character U+1F600" in problem.message
    assert problem.hint == "join each pair into the one character it encodes, or remove them"


@pytest.mark.parametrize(
    ("request_", "path"),
    [
        ({"model": FLUX2_PRO, "prompt": "x", "output_format": "pn\ud800g"}, "$.output_format"),
        ({"model": KONTEXT, "prompt": "x", "aspect_ratio": "16:9\udfff"}, "$.aspect_ratio"),
        (
            {
                "model": "kwaivgI/kling-2.1-pro",
                "frame_images": [{"input_image": "https://e.x/\ud800.png", "frame": "first"}],
            },
            "$.frame_images[0].input_image",
        ),
        ({"model": "black-forest-labs/FLUX.2-\ud800", "prompt": "x"}, "$.model"),
    ],
)
def test_a_lone_surrogate_is_the_one_error_of_its_value_anywhere(request_, path):
    problems = [p for p in validator.validate(request_) if p.path == path]
    assert [(p.code, p.severity) for p in problems] == [("invalid_unicode", "error")]


def test_valid_unicode_beyond_the_bmp_is_fine():
    assert validator.validate({"model": FLUX2_PRO, "prompt": "a cat \U0001f600 \u00e9"}) == []


# --- messages a person reads once ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tail"),
    [
        (None, "got null"),
        (True, "got true"),
        ("42", "got the string '42'"),
        (1.5, "got the number 1.5"),
        ([1], "got an array of 1 item"),
        ({"a": 1, "b": 2}, "got an object with 2 keys"),
        (float("nan"), "got NaN, which is not a JSON number"),
        (object(), "got a Python object, which is not JSON"),
        ({1, 2}, "got a Python set object, which is not JSON"),
    ],
)
def test_a_wrong_type_names_the_value_once(value, tail):
    problem = only(
        validator.validate({"model": FLUX2_PRO, "prompt": "x", "seed": value}), "invalid_type"
    )
    assert problem.message == f"seed must be an integer for {FLUX2_PRO}, {tail}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "model must be a string, got null"),
        (["x"], "model must be a string, got an array of 1 item"),
        (7, "model must be a string, got the integer 7"),
    ],
)
def test_a_model_that_is_not_a_string(value, message):
    [problem] = validator.validate({"model": value, "prompt": "x"})
    assert problem.message == message


def test_a_request_that_is_not_an_object():
    [problem] = validator.validate([{"model": FLUX2_PRO}])
    assert problem.message == "a request must be a JSON object, got an array of 1 item"


def test_a_huge_integer_is_summarised_in_a_sentence():
    problems = validator.validate(
        {"model": FLUX2_PRO, "prompt": "x", "width": 10**400, "height": -(10**30)}
    )
    width = next(p for p in problems if p.param == "width")
    assert width.message.startswith("width is an integer of 401 digits, above the maximum 2048 ")
    height = next(p for p in problems if p.param == "height")
    assert height.message.startswith("height is a negative integer of 31 digits, below the minimum")
    small = only(validator.validate({"model": FLUX2_PRO, "prompt": "x", "n": 9}), "out_of_range")
    assert small.message.startswith("n 9 is above the maximum 4 ")


@given(st.text(max_size=12), st.sampled_from([("jpeg", "png"), ("width", "height", "steps")]))
def test_did_you_mean_remembers_the_answer_it_would_give(name, candidates):
    from validator.spec import _values

    first = did_you_mean(name, candidates)
    assert first == _values._closest(name, candidates)
    assert did_you_mean(name, list(candidates)) == first  # asked again, from the cache
    assert len(_values._ANSWERS) <= 4096


def test_did_you_mean_trusts_no_str_subclass_to_a_cache():
    from validator.spec import _values

    class Odd(str):
        __slots__ = ()

        def __hash__(self):
            return hash("jpeg")

        def __eq__(self, other):
            return True

    assert did_you_mean("jpg", ("jpeg", "png")) == _values._closest("jpg", ("jpeg", "png"))
    remembered = dict(_values._ANSWERS)
    assert did_you_mean(Odd("xyzzy"), ("jpeg", "png")) is None  # not the cached 'jpg' answer
    assert remembered == _values._ANSWERS
