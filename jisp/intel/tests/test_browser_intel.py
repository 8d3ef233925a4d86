"""In a real browser: a member pastes a text, reviews the values found and shares the chosen ones.

Drives Debian's chromium (/usr/bin/chromium) through Playwright's sync API against
pytest-django's ``live_server``, as ``jisp/core/tests/test_browser_signin.py`` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from jisp.core.testing import PASSWORD, Cast
from jisp.intel.models import Indicator

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

TEXT = """JPCERT/CCより: 大会関係組織を狙うフィッシングサイトを確認しました。
URL: hxxps://toto2020-live[.]net/login
送信元: 45.67.89[.]10 、DNS: 8.8.8.8
"""


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


def test_a_member_pastes_a_text_reviews_and_shares_the_indicators(
    browser: Any, live_server: Any, cast: Cast
) -> None:
    base = live_server.url
    member = cast.member_a
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/signin/")
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")

    # Paste the text.
    page.goto(f"{base}/intel/extract/")
    page.fill("textarea[name=text]", TEXT)
    page.click("main form button[type=submit]")

    # Review: the public resolver is found but not ticked; the rest is.
    table = page.locator("table.extract-review")
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    resolver = rows.filter(has_text="8.8.8.8")
    assert not resolver.locator("input[name=pick]").is_checked()
    assert rows.filter(has_text="45.67.89.10").locator("input[name=pick]").is_checked()
    assert rows.filter(has_text="45.67.89.10").locator(".badge").count() == 1  # defanged
    page.select_option("select[name=tlp]", "amber")
    page.fill("input[name=labels]", "フィッシングサイト")
    page.click("main form button[type=submit]")

    # Saved: the indicator list, with both values, in Japanese.
    page.wait_for_url(f"{base}/intel/")
    assert "2" in page.inner_text(".messages")
    listing = page.inner_text("table.indicator-list")
    assert "https://toto2020-live.net/login" in listing
    assert "45.67.89.10" in listing
    assert "8.8.8.8" not in listing
    saved = Indicator.objects.order_by("value")
    assert [(i.value, i.tlp, i.labels) for i in saved] == [
        ("45.67.89.10", "amber", ["フィッシングサイト"]),
        ("https://toto2020-live.net/login", "amber", ["フィッシングサイト"]),
    ]
    assert {i.organisation_id for i in saved} == {cast.org_a.pk}
    context.close()
