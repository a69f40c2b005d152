"""Start-up: what ``capspec lint one.json`` imports and builds, and the spec cache's keys.

No timing here (speed lives in bench/): these tests fail when a change drags a
heavy import back onto the common path, builds every model for a request that
names one, or lets the cache serve a spec file that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import validator
from validator.spec import _specload
from validator.spec._spec import Lazy

SPECS = Path(__file__).resolve().parent / "specs"
ONE = {"model": "black-forest-labs/FLUX.2-dev", "prompt": "a lighthouse", "steps": 28, "n": 2}

# Never on the plain lint path of a .json file: the CLI framework and what it imports,
# the libraries of other formats, TOML without a configuration file, OpenSSL, pathlib.
NEVER = (
    "click",
    "jsonschema",
    "yaml",
    "tomllib",
    "hashlib",
    "_hashlib",
    "datetime",
    "inspect",
    "dataclasses",
    "uuid",
    "gettext",
    "locale",
    "fractions",
    "decimal",
    "subprocess",
    "tempfile",
    "shutil",
    "multiprocessing",
    "signal",
    "concurrent",
    "validator.lint._parallel",
    "validator.render._rules",
    "validator.integrations",
    "validator.drift",
    "validator.render._schemagen",
    "validator.render._docsgen",
    "validator.spec._speccheck",
    "validator.spec._specresolve",
    "validator.files._yaml",
    # typing (with contextlib and warnings, which it imports) costs a tenth of a start:
    # names from typing are imported for type checkers only (docs/decisions.md, Start-up).
    "typing",
    "contextlib",
    "warnings",  # typing and pathlib imported it
    # validator/__init__.py imports a public name through importlib when first used; the
    # lint path imports its modules directly.
    "importlib",
    # Rewriting requests: only the policies drop and fix, and migrate, need these.
    "validator.check._normalize",
    "validator.check._migrate",
    "validator.check._habits",
    # pathlib imports urllib.parse (some twenty named tuples) and ipaddress: paths are
    # strings on this path (validator/files/_paths.py).
    "pathlib",
    "urllib.parse",
    "ipaddress",
)

# Only for requests with problems: explaining them, and finding their line and column.
CLEAN_NEVER = ("validator.spec._explain", "validator.files._locate")

PROBE = (
    "import builtins, sys\n"
    "compiled = []\n"
    "_compile = builtins.compile\n"
    "def compile(source, filename, *args, **kwargs):\n"
    "    if not str(filename).endswith('.py'):  # a module without bytecode yet is fine\n"
    "        compiled.append(str(source)[:60])\n"
    "    return _compile(source, filename, *args, **kwargs)\n"
    "builtins.compile = compile\n"
    "from validator.cli import main\n"
    "try:\n    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n    status = exc.code\n"
    "from validator.spec import _specload\n"
    "built = sorted(_specload.bundled().models._built)\n"
    "import json\n"
    "sys.__stderr__.write(json.dumps([status, sorted(sys.modules), built, compiled]))\n"
)


def probe(tmp_path: Path, *argv: str) -> tuple[int, list[str], list[str], list[str]]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CAPSPEC_MAX_SIZE", None)
    # Twice: the first start may fill the cache, the second is the usual one.
    for _ in range(2):
        process = subprocess.run(
            [sys.executable, "-c", PROBE, *argv],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )
    status, modules, built, compiled = json.loads(process.stderr.splitlines()[-1])
    return status, modules, built, compiled


def loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_lint_of_one_json_file_imports_no_heavy_module_and_builds_one_model(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(ONE))
    status, modules, built, compiled = probe(tmp_path, "lint", "one.json")
    assert status == 0
    assert [name for name in NEVER + CLEAN_NEVER if loaded(modules, name)] == []
    assert built == ["black-forest-labs/FLUX.2-dev"]
    # The first compile() of a process builds the AST types (typing compiles string
    # annotations into ForwardRefs): none on this path (validator/_tuples.py).
    assert compiled == []


def test_lint_of_invalid_requests_still_imports_no_heavy_module(tmp_path):
    bad = {**ONE, "steps": 0, "stepz": 1, "model": "black-forest-labs/FLUX.2-dev"}
    (tmp_path / "bad.jsonl").write_text(json.dumps(bad) + "\n" + json.dumps(ONE) + "\n")
    status, modules, _, compiled = probe(tmp_path, "lint", "bad.jsonl")
    assert status == 1
    assert [name for name in NEVER if loaded(modules, name)] == []
    assert [name for name in CLEAN_NEVER if loaded(modules, name)] == list(CLEAN_NEVER)
    assert compiled == []


def test_the_probe_sees_what_an_option_imports(tmp_path):
    # The check above can fail: an option goes through click, and the YAML file through yaml.
    (tmp_path / "one.yaml").write_text("model: black-forest-labs/FLUX.2-dev\nprompt: a\n")
    status, modules, _, _ = probe(tmp_path, "lint", "--format", "json", "one.yaml")
    assert status == 0
    assert loaded(modules, "click")
    assert loaded(modules, "yaml")
    # click loads the command named, not the others (validator/cli/_app.py).
    others = ["_docs", "_drift", "_migrate", "_normalize", "_rewrite", "_rule"]
    assert [m for m in others if loaded(modules, f"validator.cli.{m}")] == []


def test_import_validator_imports_no_cli_framework_and_no_integration():
    code = "import json, sys, validator\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    modules = json.loads(out.stdout)
    assert [name for name in NEVER if loaded(modules, name)] == []
    # The public names are imported when first used (validator/__init__.py).
    assert [m for m in modules if loaded([m], "validator")] == ["validator", "validator._version"]


LAZY = """
import sys, validator
assert validator.errors.SpecError.__name__ == "SpecError"  # a public module, not yet imported
assert "validator.check._normalize" not in sys.modules
from validator import normalize
assert normalize is validator.normalize is sys.modules["validator.check._normalize"].normalize
assert "validator.check._migrate" not in sys.modules
assert validator.migrate is sys.modules["validator.check._migrate"].migrate
assert validator.Policy is sys.modules["validator.check._normalize"].Policy
names = {}
exec("from validator import *", names)
assert sorted(set(names) - {"__builtins__"}) == sorted(validator.__all__)
for name in validator.__all__:
    assert names[name] is getattr(validator, name), name
assert set(validator.__all__) <= set(dir(validator))
assert "load_spec" in dir(validator) and "__version__" in dir(validator)
assert not hasattr(validator, "valdiate")
assert "errors" in dir(validator)
assert validator.errors.SpecError is validator.SpecError
assert validator.errors is sys.modules["validator.errors"]
try:
    validator.valdiate
except AttributeError as exc:
    print(exc)
"""


def test_the_public_names_are_imported_when_first_used():
    out = subprocess.run(
        [sys.executable, "-c", LAZY], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout == "module 'validator' has no attribute 'valdiate'\n"


def test_type_checkers_see_every_public_name_where_it_is_imported_from():
    # mypy reads the TYPE_CHECKING imports of validator/__init__.py, the interpreter
    # reads _WHERE: the two name the same module for each name, and __all__ every name.
    import ast

    tree = ast.parse(Path(validator.__file__).read_text(encoding="utf-8"))
    (block,) = [
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    ]
    static = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module != "typing"
        for alias in node.names
    }
    assert static == validator._WHERE
    assert sorted(validator.__all__) == sorted([*static, "__version__", "find_errors"])
    for name, module in static.items():
        assert getattr(validator, name) is getattr(__import__(module, fromlist=[name]), name)


# --- the models: built when used -----------------------------------------------------


def test_models_are_built_when_first_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path))
    _specload._memo.clear()
    validator.load_spec(SPECS / "minimal.yaml")  # fills the cache
    _specload._memo.clear()
    spec = validator.load_spec(SPECS / "minimal.yaml")
    models = spec.models
    assert isinstance(models, Lazy)
    assert models._built == {}
    assert len(models) == 1
    assert "acme/one" in models
    assert "acme/two" not in models
    assert list(models) == ["acme/one"]
    assert models.get("acme/two") is None
    assert models._built == {}
    one = models["acme/one"]
    assert one.id == "acme/one"
    assert models["acme/one"] is one
    assert list(models.values()) == [one]
    assert dict(models.items()) == {"acme/one": one}
    with pytest.raises(KeyError):
        models["acme/two"]


def test_a_lazily_built_spec_equals_one_built_from_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path))
    _specload._memo.clear()
    source = _specload._resources.spec_path()
    fresh = validator.load_spec(source)  # resolved from YAML, no cache entry read
    _specload._memo.clear()
    cached = validator.load_spec(source)
    assert cached is not fresh
    assert cached.digest == fresh.digest
    for name in ("models", "parameters", "sources"):
        lazy = getattr(cached, name)
        assert isinstance(lazy, Lazy)
        assert lazy._built == {}, name  # nothing built until used
    assert cached.aliases == fresh.aliases
    assert dict(cached.models) == dict(fresh.models)
    assert cached.parameters == fresh.parameters
    assert cached.sources == fresh.sources
    assert cached.namespaces.keys() == fresh.namespaces.keys() == {"images", "videos"}
    for endpoint in cached.namespaces:
        assert dict(cached.namespaces[endpoint]) == dict(fresh.namespaces[endpoint])
    assert cached.parameters_of("images") is cached.parameters


# --- the spec cache: keys -------------------------------------------------------------


def _spec_file(tmp_path: Path) -> Path:
    source = tmp_path / "spec.yaml"
    source.write_text((SPECS / "minimal.yaml").read_text())
    return source


def test_a_settled_spec_is_found_by_its_status_without_hashing_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_specload, "_SETTLED", -60.0)  # as if written a minute ago
    source = _spec_file(tmp_path)
    _specload._memo.clear()
    first = validator.load_spec(source)
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(names) == 2
    assert names[0].startswith("spec-")
    assert names[1].startswith("stat-")
    _specload._memo.clear()

    def no_hash(*args):
        pytest.fail("hashed a spec whose status is known")

    monkeypatch.setattr(hashlib, "sha256", no_hash)
    monkeypatch.setattr(_specload, "resolve_text", no_hash)
    second = validator.load_spec(source)
    assert second.digest == first.digest
    assert second.models.keys() == first.models.keys()


def test_a_changed_spec_misses_its_status_even_with_the_same_size_and_mtime(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_specload, "_SETTLED", -60.0)
    source = _spec_file(tmp_path)
    before = source.stat()
    _specload._memo.clear()
    assert validator.load_spec(source).models["acme/one"].name == "One"
    time.sleep(0.05)  # past a clock tick: the change gets another ctime
    source.write_text(source.read_text().replace("name: One", "name: Uno"))
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = source.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    _specload._memo.clear()
    assert validator.load_spec(source).models["acme/one"].name == "Uno"


def test_a_spec_changed_moments_ago_is_judged_by_its_content(tmp_path, monkeypatch):
    # Within a timestamp tick, two versions of a file can share size, mtime and ctime:
    # a file changed less than _SETTLED seconds ago gets no status entry, and is hashed.
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    source = _spec_file(tmp_path)
    _specload._memo.clear()
    assert validator.load_spec(source).models["acme/one"].name == "One"
    assert [p.name[:5] for p in (tmp_path / "cache").iterdir()] == ["spec-"]
    stat = source.stat()
    source.write_text(source.read_text().replace("name: One", "name: Uno"))
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _specload._status(source) is None
    assert validator.load_spec(source).models["acme/one"].name == "Uno"


def test_other_resolver_code_of_the_same_version_does_not_read_the_entry(tmp_path, monkeypatch):
    # Two checkouts (or two git installs) of one release share the user's cache: an
    # entry resolved by the other's code must not be read, by status or by digest.
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_specload, "_SETTLED", -60.0)
    source = _spec_file(tmp_path)
    _specload._memo.clear()
    validator.load_spec(source)
    resolved = []
    real = _specload.resolve_text
    monkeypatch.setattr(_specload, "resolve_text", lambda *a: resolved.append(1) or real(*a))
    _specload._memo.clear()
    validator.load_spec(source)
    assert resolved == []  # the same code: served from the cache
    stamp = _specload._code_stamp()
    spec_dir = Path(_specload.__file__).parent
    counted = [*spec_dir.glob("*.py"), *spec_dir.glob("*.json"), spec_dir.parent / "files/_yaml.py"]
    assert len(stamp.split("/")) == len(counted)
    monkeypatch.setattr(_specload, "_code", stamp + "x")  # a resolver file changed
    _specload._memo.clear()
    assert list(validator.load_spec(source).models) == ["acme/one"]
    assert resolved == [1]
    assert len(list((tmp_path / "cache").glob("spec-*.json"))) == 2


def test_a_status_entry_for_another_file_or_version_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_specload, "_SETTLED", -60.0)
    source = _spec_file(tmp_path)
    _specload._memo.clear()
    validator.load_spec(source)
    (entry,) = (tmp_path / "cache").glob("stat-*.json")
    data = json.loads(entry.read_text())
    status = _specload._status(source)
    assert data["status"] == status
    assert status is not None
    assert status.endswith(
        f":{validator.__version__}:{_specload._CACHE_FORMAT}:{_specload._code_stamp()}:{source}"
    )
    entry.write_text(json.dumps({**data, "status": data["status"] + "x", "digest": "0" * 64}))
    _specload._memo.clear()
    assert list(validator.load_spec(source).models) == ["acme/one"]
    assert json.loads(entry.read_text())["status"] == status  # rewritten


@pytest.mark.parametrize("damage", ["model line", "truncated", "extra line", "head"])
def test_a_damaged_cache_entry_is_ignored(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    source = _spec_file(tmp_path)
    _specload._memo.clear()
    validator.load_spec(source)
    (entry,) = (tmp_path / "cache").glob("spec-*.json")
    data = entry.read_bytes()
    head, rest = data.split(b"\n", 1)
    if damage == "model line":
        rest = rest.replace(b'"One"', b'"Uno"')
    elif damage == "truncated":
        rest = rest[:-10]
    elif damage == "extra line":
        rest += b"{}\n"
    else:
        head = head.replace(b'"acme/one"', b'"acme/two"')
    entry.write_bytes(head + b"\n" + rest)
    _specload._memo.clear()
    spec = validator.load_spec(source)
    assert list(spec.models) == ["acme/one"]
    assert spec.models["acme/one"].name == "One"


def test_no_home_to_be_found_means_no_cache_not_a_traceback(tmp_path, monkeypatch):
    # A container's stray uid: no HOME, no passwd entry, so "~" stays "~".
    for name in ("CAPSPEC_CACHE_DIR", "CAPSPEC_NO_CACHE", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert _specload._cache_dir() is None
    _specload._memo.clear()
    spec = validator.load_spec(SPECS / "minimal.yaml")
    assert list(spec.models) == ["acme/one"]
    # XDG_CACHE_HOME alone is enough to find one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _specload._cache_dir() == str(tmp_path / "capspec")
