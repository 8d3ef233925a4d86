"""In a real browser: an analyst signs in with password and TOTP code, in Japanese and English.

Drives Debian's chromium (/usr/bin/chromium) through Playwright's sync API against
pytest-django's ``live_server``. Playwright's sync API runs an event loop in this thread, so
Django's async-safety check is switched off for this module.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from jisp.core.models import User
from jisp.core.testing import PASSWORD, Cast, totp_code

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def sign_in(page: Any, base: str, user: User, code: str) -> None:
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/signin/two-factor/")
    page.fill("input[name=code]", code)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_an_analyst_signs_in_with_a_code_in_japanese_then_in_english(
    browser: Any, live_server: Any, cast: Cast
) -> None:
    base = live_server.url
    analyst = cast.analyst
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(10_000)
    page = context.new_page()

    # Japanese, the default.
    page.goto(f"{base}/signin/")
    assert page.get_attribute("html", "lang") == "ja"
    assert page.inner_text("main form button[type=submit]").strip() == "ログイン"
    sign_in(page, base, analyst, totp_code())
    assert page.url == f"{base}/"

    # The header (on the account page: the home page may not be built yet).
    page.goto(f"{base}/account/")
    header = page.locator("header.site-header")
    assert analyst.name in header.inner_text()
    assert header.locator("form[action='/signout/'] button").count() == 1
    assert "プロフィール" in page.inner_text("main")

    # The header's language switch: the page, the cookie and the account turn English.
    page.select_option("#language-select", "en")
    page.click(".language-switch button")
    page.wait_for_url(f"{base}/account/")
    assert page.get_attribute("html", "lang") == "en"
    assert "Profile" in page.inner_text("main")
    analyst.refresh_from_db()
    assert analyst.language == "en"

    # Sign out, and in again in English.
    page.click("header form[action='/signout/'] button")
    page.wait_for_url(f"{base}/signin/")
    assert page.inner_text("main form button[type=submit]").strip() == "Sign in"
    # The code of the next time step: the one just used cannot be used twice.
    sign_in(page, base, analyst, totp_code(at=time.time() + 30))
    assert page.url == f"{base}/"
    page.goto(f"{base}/account/")
    header = page.locator("header.site-header")
    assert analyst.name in header.inner_text()
    assert header.locator("form[action='/signout/'] button").inner_text().strip() == "Sign out"
    context.close()
