"""The docs reach nothing beyond this server: the landing page and every page it links
(Swagger UI, ReDoc, the admin's login) render in a real Chromium with every
request going to 127.0.0.1. Swagger UI and ReDoc come from drf-spectacular-sidecar's static
files; ReDoc's template is ours, without the Google Fonts of drf-spectacular's and with a
content security policy that keeps the browser from fetching ReDoc's logo from its CDN."""

from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import ROOT
from tests.flows.browser import CHROMIUM, CHROMIUM_FLAGS, playwright_here

ARTIFACTS = Path(ROOT, "artifacts")
LOCAL = {"127.0.0.1", "localhost"}


def _leaves(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in ("data", "blob", "about") and parsed.hostname not in LOCAL


@pytest.mark.slow
def test_landing_and_every_docs_page_load_nothing_from_outside(live_server, monkeypatch):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url.replace("localhost", "127.0.0.1")
    outside, failed, seen = [], [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("request", lambda r: outside.append((page.url, r.url)) if _leaves(r.url) else None)
        page.on("requestfailed", lambda r: failed.append((page.url, r.url, r.failure)))
        # given: the landing page, and the pages it links
        landing = page.goto(f"{base}/", wait_until="networkidle")
        landing_text = page.inner_text("body")
        links = {
            urljoin(f"{base}/", href) for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        }
        # (the schema is a file to download, not a page)
        pages = sorted({f"{base}/api/docs/", f"{base}/api/redoc/"} | {u for u in links if not _leaves(u)})
        schema = [u for u in pages if "/api/schema" in u]
        pages = [u for u in pages if u not in schema]
        # when: each is opened and left to load everything it asks for
        for url in pages:
            answer = page.goto(url, wait_until="networkidle")
            seen[url] = answer.status
            if url.endswith("/api/docs/"):
                page.wait_for_selector(".opblock", timeout=20000)
                seen["swagger operations"] = page.locator(".opblock").count()
            if url.endswith("/api/redoc/"):
                page.wait_for_selector("[data-section-id]", timeout=20000)
                seen["redoc"] = page.inner_text("body")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "redoc.png"))
        browser.close()
    # then: nothing left this server. A page may ask for an outside address only if the
    # browser refused it by the page's own policy before sending it: ReDoc's sidebar footer
    # asks for the Redocly logo whatever it is told (see our drf_spectacular/redoc.html).
    refused = {(page_url, url) for page_url, url, failure in failed if failure in ("csp", "net::ERR_BLOCKED_BY_CSP")}
    assert [request for request in outside if request not in refused] == [], (outside, failed)
    assert {url for _, url in refused} <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
    assert landing.status == 200 and "API docs" in landing_text and "接口文档" in landing_text
    assert all(status == 200 for url, status in seen.items() if url.startswith("http")), seen
    assert schema  # the landing page links the schema
    assert seen["swagger operations"] > 20
    assert "/api/v1/jobs" in seen["redoc"] and "Health check" in seen["redoc"]
