"""Tests that need a tool from outside Python (Chromium, pdftotext, axe-core from npm, Redis).

Without the tool such a test is skipped, so `make test` runs on a machine that has only Python.
With REQUIRE_TOOLS set (CI sets it, after installing every tool) nothing is skipped for a missing
tool: the test runs and fails, so a broken install cannot pass unnoticed.
"""

import os

import pytest

STRICT = bool(os.environ.get("REQUIRE_TOOLS"))


def needs(available: bool, what: str):
    """A skip marker for when `what` is missing; never skips under REQUIRE_TOOLS."""
    return pytest.mark.skipif(not available and not STRICT, reason=f"{what} is not installed")


def require(available: bool, what: str) -> None:
    """Inside a test or fixture: skip when `what` is missing, or fail under REQUIRE_TOOLS."""
    if not available:
        if STRICT:
            pytest.fail(f"{what} is missing (REQUIRE_TOOLS is set)")
        pytest.skip(f"{what} is not installed")
