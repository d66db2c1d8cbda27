"""Everything a person reads exists in Chinese: every string marked for translation in our
code and templates has a zh-hans entry in the catalogue, and the compiled catalogue is current."""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

APPS = ["accounts", "catalogue", "core", "factories", "marketplace", "orders", "evidence", "payments", "realtime"]
PO = Path(ROOT, "locale/zh_Hans/LC_MESSAGES/django.po")
MSGATTRIB, MSGFMT = shutil.which("msgattrib") or "msgattrib", shutil.which("msgfmt") or "msgfmt"


def _entries(po: Path, *flags: str) -> list[str]:
    out = subprocess.run(  # noqa: S603
        [MSGATTRIB, *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    )
    return [
        line[len("msgid ") :] for line in out.stdout.splitlines() if line.startswith('msgid "') and line != 'msgid ""'
    ]


def test_translations_every_marked_string_has_a_chinese_entry(tmp_path):
    assert shutil.which("xgettext"), "gettext is missing: apt-get install gettext"
    # given: a copy of the sources and the catalogue (makemessages rewrites the catalogue it merges into)
    for app in APPS:
        shutil.copytree(Path(ROOT, app), tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copytree(Path(ROOT, "locale"), tmp_path / "locale")
    shutil.copy(Path(ROOT, "manage.py"), tmp_path)
    # when: the strings are extracted and merged into that copy
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
    )
    merged = tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"
    # then: nothing is left untranslated or only guessed
    assert _entries(merged, "--untranslated") == []
    assert _entries(merged, "--only-fuzzy") == []


def test_translations_compiled_catalogue_is_current(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check", "-o", str(compiled), str(PO)], check=True, capture_output=True)  # noqa: S603
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run msgfmt --check -o django.mo django.po"
