"""FreqUI 3.1.1 in headless Chromium charts each tier with its plot_config, as the README says.

The README's webserver commands run on free local ports (one spot webserver serves tiers 1 and 2,
one futures webserver tier 3: FreqUI lists only the webserver's own trading mode's pairs). For
each tier the test follows the README's clicks: Chart → strategy → dates → timeframe → pair →
Refresh chart → Plot configurator → From strategy → Save. It checks in the page that every
``plot_config`` column is listed under its plot and is a column of the loaded chart (FreqUI marks
unknown ones "not available in this chart"), and saves a screenshot of the chart to
``user_data/plot/frequi/`` (``$FTPACK_FREQUI_SHOTS`` overrides the folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from doors_helpers import BIN, SECRETS, plot_columns, readme_block

from packtest import REPO, load_strategy_class

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FREQUI = Path(__import__("freqtrade").__file__).parent / "rpc/api_server/ui/installed/index.html"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("FTPACK_FREQUI_SHOTS", REPO / "user_data" / "plot" / "frequi"))
WEBSERVERS = {cmd[3].split("/")[-1]: cmd
              for cmd in readme_block("freqtrade-offline webserver") if cmd[0] != "export"}


@dataclass(frozen=True)
class Chart:
    tier: str
    strategy: str
    webserver: str  # the config layer of the README's webserver command that serves it
    pair: str
    timeframe: str
    start: str
    end: str


CHARTS = [
    Chart("tier1", "StablecoinSpread", "stablecoin.json", "FDUSD/USDT", "5m",
          "2025-04-01", "2025-04-03"),
    Chart("tier2", "SmallCapMomentum", "stablecoin.json", "SUI/USDT", "5m",
          "2025-08-10", "2025-08-12"),
    Chart("tier3", "PerpScalper", "backtest-tier3.json", "BTC/USDT:USDT", "1m",
          "2025-06-10", "2025-06-11"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"webserver exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/ping", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"no webserver at {url}")


@pytest.fixture(scope="module")
def webservers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if not (Path(CHROMIUM).exists() and FREQUI.exists()):
        pytest.skip("needs Debian chromium and FreqUI in the venv: run `make browser`")
    logs = tmp_path_factory.mktemp("webservers")
    procs, urls = [], {}
    try:
        for name, command in WEBSERVERS.items():
            port = _free_port()
            env = os.environ | SECRETS | {"FREQTRADE__API_SERVER__LISTEN_PORT": str(port)}
            log = (logs / f"{name}.log").open("w")
            procs.append(subprocess.Popen([str(BIN / command[0]), *command[1:]], cwd=REPO,
                                          env=env, stdout=log, stderr=subprocess.STDOUT))
            urls[name] = f"http://127.0.0.1:{port}"
        for url, proc in zip(urls.values(), procs, strict=True):
            _wait_up(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, webservers) -> Iterator[object]:
    """One Chromium; per webserver one browser context, logged in once (FreqUI adds a bot per
    login), so the spot charts share FreqUI's state as a user's session would."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            contexts = {}
            for name, url in webservers.items():
                contexts[name] = chromium.new_context(viewport={"width": 1400, "height": 1000})
                page = contexts[name].new_page()
                _login(page, url)
                page.close()
            yield contexts
        finally:
            chromium.close()


def _pick(page, trigger, name: str, timeout: float = 180) -> None:
    """Choose ``name`` in a FreqUI select (FreqUI keeps the last choices in the browser). Its
    options load asynchronously (the pair list after the timeframe), so retry until a deadline."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        if trigger.inner_text().strip() == name:
            return
        trigger.click()
        option = page.get_by_role("option", name=name, exact=True)
        try:
            option.wait_for(state="visible", timeout=10_000)
            page.wait_for_timeout(300)
            option.click()
            page.wait_for_timeout(500)
        except Exception:  # not listed yet: close the list and open it again
            seen = [o.inner_text() for o in page.get_by_role("option").all()]
            page.keyboard.press("Escape")
            page.wait_for_timeout(2000)
    shown = trigger.inner_text().strip()
    assert shown == name, f"could not select {name!r}: shows {shown!r}, options {seen}"


def _open_chart_page(page, url: str) -> None:
    """Open FreqUI's Chart page as a user does: the start page, then the Chart link. The Chart page
    asks a webserver for its pair list only once it knows it talks to a webserver (from
    ``/show_config``); opened directly while the server is slow to answer, it lists no pairs."""
    with page.expect_response(lambda r: "/api/v1/show_config" in r.url, timeout=120_000):
        page.goto(f"{url}/")
    with page.expect_response(lambda r: "/api/v1/available_pairs" in r.url, timeout=120_000):
        page.get_by_role("link", name="Chart", exact=True).first.click()


def _login(page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_placeholder("Freqtrader").fill("freqtrader")
    page.locator("input[type=password]").fill(SECRETS["FREQTRADE__API_SERVER__PASSWORD"])
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{url}/")


def _indicators_by_plot(dialog) -> dict[str, str]:
    """The plot configurator's indicator list (as shown) for each target plot."""
    targets, indicators = dialog.get_by_role("listbox").all()[:2]
    shown = {}
    for option in targets.get_by_role("option").all():
        if option.get_attribute("aria-selected") != "true":  # a click on the selected one clears it
            option.click()
            dialog.page.wait_for_timeout(300)
        shown[option.inner_text().strip()] = indicators.inner_text()
    return shown


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: f"{c.tier}-{c.strategy}")
def test_frequi_charts_the_tier_with_its_plot_config(webservers, browser, chart: Chart) -> None:
    url = webservers[chart.webserver]
    page = browser[chart.webserver].new_page()
    page.set_default_timeout(60_000)
    try:
        _open_chart_page(page, url)
        _pick(page, page.locator("#strategy-select"), chart.strategy)
        for field, day in (("#dateFrom", chart.start), ("#dateTo", chart.end)):
            page.locator(field).fill(day)
            page.locator(field).press("Enter")
        timeframe = page.get_by_text("Timeframe", exact=True).locator("..")
        _pick(page, timeframe.get_by_role("combobox"), chart.timeframe)
        _pick(page, page.get_by_label("Show popup").last, chart.pair)
        with page.expect_response(lambda r: "pair_history" in r.url, timeout=240_000) as resp:
            page.get_by_title("Refresh chart").click()
        assert resp.value.status == 200, resp.value.text()[:500]

        page.get_by_title("Plot configurator").click()
        page.get_by_role("button", name="From strategy", exact=True).click()
        dialog = page.get_by_role("dialog")
        columns = plot_columns(chart.strategy)
        dialog.get_by_text(columns[0], exact=True).first.wait_for()
        shown = _indicators_by_plot(dialog)
        config = load_strategy_class(chart.strategy).plot_config
        expected = {"main_plot": list(config.get("main_plot", {}))} | {
            name: list(indicators) for name, indicators in config.get("subplots", {}).items()}
        assert set(shown) == set(expected)
        for plot, names in expected.items():
            listed = shown[plot].splitlines()
            assert sorted(listed) == sorted(names), plot  # "<-- not available" would differ
        page.get_by_role("button", name="Save", exact=True).click()
        dialog.get_by_label("Close").click()
        page.wait_for_timeout(2500)  # let the chart redraw with the saved configuration
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{chart.tier}-{chart.strategy}.png"
        page.screenshot(path=str(shot))
        assert 20_000 < shot.stat().st_size < 300_000
    finally:
        page.close()
