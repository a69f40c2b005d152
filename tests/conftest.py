"""Shared test setup: an isolated spec cache, hypothesis profiles, and common fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Keep the spec cache of test runs out of the user's ~/.cache, in a folder of this
# run's own, removed when the run ends (tests/test_layers.py checks that nothing is left).
_OWN_CACHE: str | None = None
if not os.environ.get("CAPSPEC_CACHE_DIR"):
    _OWN_CACHE = tempfile.mkdtemp(prefix="capspec-test-cache-")
    os.environ["CAPSPEC_CACHE_DIR"] = _OWN_CACHE
os.environ.pop("CAPSPEC_NO_CACHE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's spec cache (subprocesses started by tests have ended by now)."""
    if _OWN_CACHE is not None:
        shutil.rmtree(_OWN_CACHE, ignore_errors=True)


settings.register_profile(
    "default", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=200,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# A long random run (HYPOTHESIS_PROFILE=fuzz), for hunting rather than for CI.
settings.register_profile(
    "fuzz", deadline=None, max_examples=5000, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def spec():
    import validator

    return validator.load_spec()
