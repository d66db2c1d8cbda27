"""What every browser test shares: Debian's Chromium (Playwright cannot download its own
here), its flags, where screenshots go, and the guard that fails loudly without it."""

from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(ROOT, "artifacts")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_here():
    """Playwright's sync API, once Chromium is known to be there (a test fails, never skips,
    without it: .ci/run and make test install it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run and make test do it)")
    from playwright.sync_api import sync_playwright

    return sync_playwright
