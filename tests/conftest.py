"""Shared test setup: an isolated spec cache, hypothesis profiles, and common fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Keep the spec cache of test runs out of the user's ~/.cache.
os.environ.setdefault("CAPSPEC_CACHE_DIR", tempfile.mkdtemp(prefix="capspec-test-cache-"))
os.environ.pop("CAPSPEC_NO_CACHE", None)

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
