"""The mobile web app's shell at /app/: the page, its manifest and its service worker are
served as a browser installs them, and the page names nothing outside this server."""

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db

URLS = re.compile(r'(?:src|href)="([^"]*)"')


def test_webapp_shell_is_an_html_page_under_its_policy_with_only_local_files(client):
    # when
    response = client.get("/app/")
    html = response.content.decode()
    # then: scripts only from files (no inline script), every link on this server
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    urls = URLS.findall(html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html
    assert client.get("/app").status_code == 200  # no redirect for the missing slash


def test_webapp_manifest_installs_with_png_icons_of_their_stated_size(client):
    # when
    response = client.get("/app/manifest.webmanifest")
    manifest = json.loads(response.content)
    # then: what Chromium asks of an installable app
    assert response["Content-Type"] == "application/manifest+json"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/app/", "/app/", "standalone")
    assert manifest["name"] and manifest["short_name"] == "共享工厂"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with open(path, "rb") as file:
            image = Image.open(io.BytesIO(file.read()))
        assert (image.format, f"{image.width}x{image.height}") == ("PNG", icon["sizes"])
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_webapp_service_worker_is_scoped_to_the_app_and_caches_files_that_exist(client):
    # when
    response = client.get("/app/sw.js")
    script = response.content.decode()
    # then: a script the browser may register for /app/, never cached stale by HTTP
    assert response["Content-Type"].startswith("text/javascript")
    assert (response["Service-Worker-Allowed"], response["Cache-Control"]) == ("/app/", "no-cache")
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert shell[:2] == ["/app/", "/app/manifest.webmanifest"]
    missing = [url for url in shell[2:] if not finders.find(url.removeprefix("/static/"))]
    assert missing == [] and len(shell) == 16
    # every module and style of the app is in it, so the shell opens offline whole
    folder = Path(finders.find("webapp/app.js")).parent
    files = {f"/static/webapp/{f.name}" for f in folder.iterdir() if f.suffix in (".js", ".css", ".png")}
    assert files - set(shell) == set()


def test_webapp_every_text_it_names_is_in_chinese_and_in_english():
    # given: the app's dictionary and its modules
    folder = Path(finders.find("webapp/i18n.js")).parent
    source = (folder / "i18n.js").read_text()
    zh, en = source.split("\n  en: {", 1)
    zh = zh.split("\n  zh: {", 1)[1]
    keys = [set(re.findall(r"\b(\w+): [\"{]", block)) for block in (zh, en)]
    # when: every text a module asks for by name
    used = set()
    for module in folder.glob("*.js"):
        used |= set(re.findall(r'\bt\("(\w+)"\)', module.read_text()))
    # then: both languages have the same texts, and every one asked for
    assert keys[0] == keys[1] and len(keys[0]) > 100
    assert used - keys[0] == set()
