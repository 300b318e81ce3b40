"""Headless Chromium (Debian's `chromium`), driven by Playwright through `executable_path`."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

ARTIFACTS = Path(os.environ.get("ATRIUM_ARTIFACTS_DIR", Path(__file__).parents[2] / "artifacts"))
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Debian's chromium is not installed: .ci/run installs it (apt-get install chromium)"
        )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; the test's own database calls
    # around it are ordinary synchronous code, which Django would otherwise refuse.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_FLAGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


CSP_VIOLATION = re.compile(r"content.security.policy", re.IGNORECASE)


def csp_violations(page: Page) -> list[str]:
    """What the browser's console says it refused under the Content-Security-Policy (an inline
    script without the nonce, an inline handler, a style or image from elsewhere), as it happens."""
    refused: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if CSP_VIOLATION.search(message.text):
            refused.append(message.text)

    page.on("console", seen)
    return refused


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; the test fails if anything on it broke the Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused = csp_violations(page)
    yield page
    context.close()
    assert refused == [], refused


def screenshot(page: Page, name: str) -> Path:
    """Save what the person sees, for the test run's artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
