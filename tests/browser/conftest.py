"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against `live_server`.

The tests are skipped when no Chromium binary is found (CI installs `chromium`). Chromium is
launched once per session; each test gets fresh browser contexts (one per user, so cookies
never leak between roles) and a directory for screenshots outside the repository.
"""

import os
import shutil

import pytest

from tests.tools import require

# The password of every user the browser tests log in with (browser_user).
PASSWORD = "Browser-Test-2020"

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def chromium_executable() -> str | None:
    """CHROMIUM_PATH if set (and executable), else `chromium` on the PATH, else None."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return shutil.which(configured)
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def _async_unsafe_allowed():
    # Playwright's sync API keeps an asyncio loop running in the test thread; Django would then
    # refuse ORM calls from the test (and the database flush after it) as "async" code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def chromium(_async_unsafe_allowed):
    executable = chromium_executable()
    require(executable is not None, "Chromium (set CHROMIUM_PATH or install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server):
    """Open a fresh browser context (its own cookies) on the live server; closed after the test."""
    contexts = []

    def open_context():
        context = chromium.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path_factory):
    """Where each step's screenshot goes: $BROWSER_SCREENSHOT_DIR, else a pytest temporary dir."""
    configured = os.environ.get("BROWSER_SCREENSHOT_DIR")
    if configured:
        os.makedirs(configured, exist_ok=True)
        from pathlib import Path

        return Path(configured)
    return tmp_path_factory.mktemp("screenshots")


def browser_user(username: str, role: str):
    """A user with the given role who logs in through the login page with PASSWORD."""
    from entry.roles import assign_role
    from targets.tests.factories import make_user

    user = make_user(username)
    user.set_password(PASSWORD)
    user.save()
    assign_role(user, role)
    return user
