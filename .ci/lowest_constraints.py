"""Print pip constraints that pin every direct dependency to the floor pyproject.toml allows.

`.ci/run` installs capspec with its test and spark extras under these constraints in a second
virtual environment and runs the suite there, so a floor that no longer works is
found by CI, not by a user. Only direct dependencies are pinned (what pyproject.toml
promises); what they pull in resolves as it would for a user.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# Floors that cannot be installed beside the others, each with why. They are left
# to resolve (newer) in this job; their own floor is only as good as this reason.
NOT_PINNED = {
    "httpx": "pip finds no resolution for httpx 0.24 beside openai 3.15, which needs httpx2",
}

#: The extras `.ci/run` installs in the lowest-versions job: the Spark tests run there too.
DEFAULT_EXTRAS = ("test", "spark")

_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def floors(pyproject: Path, extras: list[str]) -> dict[str, str]:
    """The `>=` floor of every runtime dependency and of the named extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        requirements.extend(optional[extra])
    pinned: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is None:
            if requirement.startswith(f"{project['name']}["):
                continue  # capspec[test] inside dev: those floors are listed already
            raise ValueError(f"{requirement!r} has no '>=' floor to test")
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if name not in NOT_PINNED:
            pinned[name] = match.group(2)
    return pinned


def main(argv: list[str]) -> int:
    """Print `name==floor` lines for pyproject.toml in the current directory.

    The arguments name the extras whose floors are pinned besides the runtime
    dependencies: by default test and spark, the extras the CI job installs.
    """
    extras = argv or list(DEFAULT_EXTRAS)
    for name, version in sorted(floors(Path("pyproject.toml"), extras).items()):
        sys.stdout.write(f"{name}=={version}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
