"""Every HTML page under its Content-Security-Policy (issue 28, L7), in a real headless
Chromium: the landing page, Swagger UI, ReDoc, the admin (login, lists, a change form, the
dashboard) and the sandbox pay page all render and work, and the browser reports no
violation of the policy but one it is meant to make: ReDoc's bundle always asks Redocly's
CDN for its "API docs by Redocly" logo, which the policy refuses (nothing leaves for another
origin) and ReDoc then leaves out."""

import pytest

from payments.models import Payment
from tests import fixtures
from tests.fixtures import UserFactory
from tests.flows.browser import CHROMIUM, CHROMIUM_FLAGS, playwright_here

REDOCLY_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"
# Every violation the page's document sees, kept on the window (an init script runs first).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.mark.slow
def test_csp_every_page_works_in_a_browser_without_a_violation(eager_celery_live, monkeypatch):
    sync_playwright = playwright_here()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = eager_celery_live.url
    # given: a paid job for the admin's pages, an unpaid one for the pay page, an admin
    paid = fixtures.job()
    unpaid = fixtures.job(paid=False)
    UserFactory(username="desk", is_staff=True, is_superuser=True)
    violations, policies, console = {}, {}, []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(LISTEN)
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)

        def visit(name, path, ready):
            response = page.goto(f"{base}{path}")
            page.wait_for_selector(ready, timeout=20000)
            policies[name] = response.headers.get("content-security-policy", "")
            violations[name] = page.evaluate("window.__csp")

        # when: each page is opened and used as a person would
        visit("landing", "/", "h1")
        visit("swagger", "/api/docs/", ".opblock")
        page.click(".opblock-summary")  # an operation opens (Swagger UI's script runs)
        page.wait_for_selector(".opblock-body", timeout=10000)
        violations["swagger"] += page.evaluate("window.__csp")
        visit("redoc", "/api/redoc/", "[data-section-id]")
        visit("admin login", "/admin/login/?next=/admin/", "#id_username")
        page.fill("#id_username", "desk")
        page.fill("#id_password", "pw-Secret-123")
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")
        violations["admin login"] += page.evaluate("window.__csp")
        visit("admin jobs", "/admin/orders/job/", "#result_list")
        visit("admin job", f"/admin/orders/job/{paid.id}/change/", "#content-main")
        visit("admin dashboard", "/admin/dashboard/", "#dashboard img")
        visit("pay page", fixtures.pay_path(unpaid.payment), "button.pay")
        page.click("button.pay")  # the form posts to the page itself
        page.wait_for_selector(".message")
        violations["pay page"] += page.evaluate("window.__csp")
        browser.close()

    # then: each page carried the policy, and nothing on any page was blocked (but the logo)
    assert {name: "script-src 'self'" in policy for name, policy in policies.items()} == dict.fromkeys(policies, True)
    redoc = violations.pop("redoc")
    assert {name: found for name, found in violations.items() if found} == {}
    assert [v for v in redoc if not v.startswith(REDOCLY_LOGO)] == []
    assert [m for m in console if "cdn.redoc.ly/redoc/logo-mini.svg" not in m] == []
    assert Payment.objects.get(id=unpaid.payment.id).status == "succeeded"
