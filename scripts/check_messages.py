"""Fail when the Spanish catalogue is stale: a msgid in the code missing from locale/es, or untranslated.

Runs `makemessages` into a temporary copy of the project's locale folder and compares msgids.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def msgids(po: Path) -> dict[str, str]:
    """msgid → msgstr (plural forms joined), fuzzy entries counted as untranslated."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    fuzzy = False
    key = None
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            key = "ctx"
        elif line.startswith("msgid "):
            msgid, msgstr, key = line[7:-1], "", "id"
        elif line.startswith("msgid_plural"):
            key = "plural"
        elif line.startswith("msgstr"):
            msgstr = (msgstr or "") + line.split(" ", 1)[1][1:-1]
            key = "str"
        elif line.startswith('"') and msgid is not None:
            if key == "id":
                msgid += line[1:-1]
            elif key == "str":
                msgstr = (msgstr or "") + line[1:-1]
        elif not line and msgid is not None:
            if msgid:
                entries[msgid] = "" if fuzzy else (msgstr or "")
            msgid, msgstr, fuzzy, key = None, None, False, None
    return entries


def main() -> int:
    committed = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
    if not committed.exists():
        print("locale/es/LC_MESSAGES/django.po is missing: run `make messages`.")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules"))
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "es",
                "--ignore",
                "bench",
                "--ignore",
                "var",
                "-v",
                "0",
            ],
            cwd=work,
            check=True,
            env=env,
        )
        fresh = msgids(work / "locale" / "es" / "LC_MESSAGES" / "django.po")
    current = msgids(committed)
    missing = sorted(set(fresh) - set(current))
    untranslated = sorted(m for m in fresh if not current.get(m))
    for m in missing:
        print(f"missing from locale/es: {m!r}")
    for m in untranslated:
        if m not in missing:
            print(f"untranslated in locale/es: {m!r}")
    if missing or untranslated:
        print("The Spanish catalogue is stale: run `make messages` and translate.")
        return 1
    print(f"Spanish catalogue: {len(fresh)} messages, all translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
