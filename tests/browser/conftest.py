"""Launch Debian's Chromium through Playwright for the browser tests."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses database access
# from a thread with a running loop unless told it is safe (it is: nothing else runs there).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 900}
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f'{CHROMIUM} is missing: apt-get install chromium, or run -m "not browser"')
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class ConsoleLog:
    """Console messages and uncaught errors of every page of a browser context."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda msg: self.messages.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "CSP" in m]

    def script_errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith("pageerror")]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def new_page(browser, console):
    """Open a page in a fresh browser context (own cookies); closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot into docs/ only when SAVE_SCREENSHOTS=1 (keeps normal runs clean)."""

    def save(page, name: str) -> None:
        if os.environ.get("SAVE_SCREENSHOTS") == "1":
            DOCS_DIR.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS_DIR / name))

    return save
