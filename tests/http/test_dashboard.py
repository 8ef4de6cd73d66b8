"""The live dashboard (``GET /__admin/``) in a real headless Chromium, driven by Selenium.

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them; a browser that downloads
itself cannot be fetched in CI). Without them the test is skipped, unless
``TALON_FAKES_REQUIRE_BROWSER`` is set (``.ci/run`` sets it), so CI cannot skip it silently.
Set ``TALON_FAKES_DASHBOARD_PNG`` to keep a screenshot of the page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from talon_fakes.fake.server import TalonFake

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("TALON_FAKES_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"the dashboard test needs {CHROMIUM} and {CHROMEDRIVER}: "
            "apt-get install chromium chromium-driver"
        )
    pytest.skip(
        "no system chromium and chromedriver (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402 (only once the browser is known to be there)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 20  # seconds for the page's next poll to show a change (it polls every second)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
    ):
        options.add_argument(argument)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for a browser online
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def _text(browser: Any, selector: str) -> str | None:
    """The text of the first element ``selector`` finds, read in the page (no stale reference)."""
    text: str | None = browser.execute_script(
        "const e = document.querySelector(arguments[0]); return e && e.textContent;", selector
    )
    return text


def test_the_dashboard_shows_a_session_and_the_moves_made_while_the_fake_runs(browser: Any) -> None:
    with TalonFake() as fake:
        browser.get(fake.url("/__admin/"))
        assert browser.title == "talon-fakes dashboard"
        wait = WebDriverWait(browser, WAIT)
        wait.until(lambda b: "updated" in b.find_element(By.ID, "updated").text)
        assert browser.find_elements(By.CSS_SELECTOR, 'g.edge[data-exercised="true"]') == []

        # While the page is open: a session is created over the Integration API, then closed.
        url = fake.url("/v2/customer_sessions/order-77")
        cart = [{"sku": "SKU-1", "quantity": 2, "price": 12.5}]
        body = {"customerSession": {"couponCodes": ["WELCOME"], "cartItems": cart}}
        assert requests.put(url, json=body, headers=fake.integration_headers, timeout=10).status_code == 200
        body = {"customerSession": {"state": "closed"}}
        assert requests.put(url, json=body, headers=fake.integration_headers, timeout=10).status_code == 200

        session = 'tr[data-session="order-77"]'
        wait.until(lambda b: _text(b, session + " .state") == "closed")
        row = browser.find_element(By.CSS_SELECTOR, session)
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        assert cells == ["order-77", "closed", "25", "WELCOME", "1", "2"]  # WELCOME's rejectCoupon

        made = wait.until(
            lambda b: (
                {
                    e.get_attribute("data-move")
                    for e in b.find_elements(By.CSS_SELECTOR, 'g.edge[data-exercised="true"]')
                }
                or None
            )
        )
        assert made == {"(new)->open:update", "open->closed:update"}
        never = browser.find_elements(By.CSS_SELECTOR, 'g.edge[data-exercised="false"]')
        assert len(never) == 8  # the current rules' ten moves, less the two made

        operations = [
            r.get_attribute("data-operation")
            for r in browser.find_elements(By.CSS_SELECTOR, "#journal tr.row")
        ]
        assert operations == ["update_customer_session", "update_customer_session"]
        assert "integration-state-v2" in browser.find_element(By.CSS_SELECTOR, "#journal tr.row .ok").text

        row.click()  # the session's history unfolds
        history = browser.find_element(By.CSS_SELECTOR, "#sessions tr.more:not([hidden]) .history")
        assert history.text == "update \u2192 open, update \u2192 closed"
        browser.find_elements(By.CSS_SELECTOR, "#journal tr.row")[0].click()
        if os.environ.get("TALON_FAKES_DASHBOARD_PNG"):
            browser.save_screenshot(os.environ["TALON_FAKES_DASHBOARD_PNG"])
        assert fake.journal[-1].status == 200  # the page's polls are not in the journal
        assert all(not entry.path.startswith("/__admin") for entry in fake.journal)
