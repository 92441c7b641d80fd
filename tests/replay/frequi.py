"""FreqUI 3.1.1 (installed by ``make browser``) in headless Debian Chromium via Playwright:
log in to a running bot and capture its trade page (flags from shared/frequi/README.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from replay_helpers import USER, Bot

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def screenshot_trades(
    bot: Bot, path: Path, pair: str, timeout_ms: float = 90_000
) -> dict[str, str]:
    """Log in to ``bot``'s FreqUI, open the trade page with ``pair``'s chart, save a screenshot at
    ``path`` and return the text of its trade tables: ``{"open": …, "closed": …}``."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{bot.port}"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1600, "height": 1500},  # tall enough for the closed-trades panel
        )
        try:
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.goto(f"{base}/login")
            page.get_by_placeholder("Freqtrader").fill(USER)
            page.locator("input[type=password]").fill(bot.password)
            page.get_by_role("button", name="Submit").click()
            page.wait_for_url(lambda url: "/login" not in url)
            page.goto(f"{base}/trade")
            page.get_by_text("Closed Trades").first.wait_for()
            page.locator("table tbody tr").first.wait_for()
            page.get_by_text(pair, exact=True).first.click()
            page.wait_for_timeout(2000)  # let the chart draw before the capture
            page.screenshot(path=str(path), full_page=True)
            tables = page.locator("table").all_inner_texts()
        finally:
            context.close()
    return {
        "open": "\n".join(t for t in tables if "Current rate" in t),
        "closed": "\n".join(t for t in tables if "Close Reason" in t),
    }
