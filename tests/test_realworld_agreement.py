"""capspec against the real-world corpus: every sure case is judged right.

A case is sure when its confidence is ``high``. For each, capspec must report every
expected error (same parameter, one of the expected codes) and no error anywhere else,
except where the case marks the verdict as undecided. Warnings never count.
"""

from __future__ import annotations

import pytest
from realworld.corpus import judge, load_cases

SURE = [case for case in load_cases() if case.sure]


@pytest.mark.parametrize("case", SURE, ids=[case.id for case in SURE])
def test_capspec_agrees_with_a_sure_case(case):
    verdict = judge(case)
    if not verdict.agrees:
        pytest.fail(verdict.describe(), pytrace=False)
