"""The Spanish translation is complete, current with the code, compiled, and in use.

- Every entry of locale/es/LC_MESSAGES/django.po is translated, in every plural form; none is
  fuzzy, and each translation keeps its original's placeholders.
- Extracting the strings from the code again (makemessages, into a temporary copy of the
  project) finds none that the committed catalog lacks. Needs GNU gettext: skipped without it,
  a failure when CI=true.
- The committed django.mo holds exactly what the committed django.po says.
- Pages asked for in Spanish come out in Spanish.

After changing a translatable string: `make messages`, translate the new entries, commit both
django.po and django.mo.
"""

import ast
import contextlib
import gettext
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from thrive.test import BaseTestCase

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_PATH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# The same as `make messages`.
IGNORE_PATTERNS = [".venv/*", "var/*", "bench/*"]
# What makemessages reads (its default extensions), and what it never needs to see.
SOURCE_SUFFIXES = {".html", ".txt", ".py"}
SKIPPED_DIRS = {".venv", "var", "bench", "locale", "__pycache__", "node_modules"}

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")
_NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_POT_CREATION_DATE = re.compile(r"^POT-Creation-Date:.*\n", re.MULTILINE)
_POSITIONAL_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def on_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def need_program(test, name):
    """The path of a gettext program; without it, skip, except on CI, where it must exist."""
    path = shutil.which(name)
    if path is None:
        if on_ci():
            test.fail(f"GNU gettext's {name} is missing (CI=true): install gettext")
        test.skipTest(f"GNU gettext's {name} is not installed")
    return path


def parse_po(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr ({form: text}),
    flags (a set) and line (where the entry starts). Obsolete (#~) entries are left out."""
    entries, entry, field = [], None, None
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate([*lines, ""], start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and entry and "msgid" in entry):
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            if not line:
                continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "line": number}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field is None:
                raise ValueError(f"{path}:{number}: a string continues nothing")
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            match = _KEYWORD.match(line)
            if match is None:
                raise ValueError(f"{path}:{number}: cannot read {raw!r}")
            keyword, form, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword.startswith("msgstr"):
                field = int(form) if form is not None else 0
                entry["msgstr"][field] = text
            else:
                field = keyword
                entry[keyword] = text
    return entries


def entry_key(entry):
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def placeholders(text, flags):
    """The placeholders a translation must keep: %(name)s and %s, or {name}."""
    found = []
    if "python-format" in flags:
        text = text.replace("%%", "")
        found += _NAMED_PLACEHOLDER.findall(text)
        found += ["%"] * len(_POSITIONAL_PLACEHOLDER.findall(text))
    if "python-brace-format" in flags:
        found += _BRACE_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", ""))
    return sorted(found)


def catalog_of_po(entries):
    """What a .mo compiled from these entries holds, keyed as gettext.GNUTranslations keys it."""
    catalog = {}
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            for form, text in entry["msgstr"].items():
                catalog[(msgid, form)] = text
        else:
            catalog[msgid] = entry["msgstr"][0]
    return catalog


def catalog_of_mo(path):
    with open(path, "rb") as fp:
        # GNUTranslations keeps the whole catalog in _catalog; reading it is the only way to
        # compare two compiled catalogs entry for entry.
        return dict(gettext.GNUTranslations(fp)._catalog)


def differences(committed, expected):
    """The keys on which two catalogs differ, for a short failure message."""
    # msgfmt leaves the POT-Creation-Date out of the header it compiles (or not, if older).
    committed, expected = (
        {k: _POT_CREATION_DATE.sub("", v) if k == "" else v for k, v in catalog.items()}
        for catalog in (committed, expected)
    )
    keys = sorted(set(committed) | set(expected), key=repr)
    return [
        f"{key!r}: {committed.get(key, '(absent)')!r} != {expected.get(key, '(absent)')!r}"
        for key in keys
        if committed.get(key) != expected.get(key)
    ]


class SpanishCatalogTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.entries = parse_po(PO_PATH)
        cls.header = next(e for e in cls.entries if e["msgid"] == "" and "msgctxt" not in e)
        cls.messages = [e for e in cls.entries if e is not cls.header]

    def test_the_header_names_the_project_language_and_plural_forms(self):
        header = self.header["msgstr"][0]
        self.assertIn("Project-Id-Version: Thrive", header)
        self.assertIn("Language: es\n", header)
        self.assertIn("Plural-Forms: nplurals=2; plural=(n != 1);", header)
        self.assertNotIn("fuzzy", self.header["flags"])

    def test_every_entry_is_translated_in_every_form(self):
        self.assertGreater(len(self.messages), 100)
        untranslated = []
        for entry in self.messages:
            forms = 2 if "msgid_plural" in entry else 1
            if sorted(entry["msgstr"]) != list(range(forms)) or not all(
                text.strip() for text in entry["msgstr"].values()
            ):
                untranslated.append(f"line {entry['line']}: {entry['msgid']!r}")
        self.assertEqual(untranslated, [], f"untranslated in {PO_PATH}")

    def test_no_entry_is_fuzzy(self):
        fuzzy = [f"line {e['line']}: {e['msgid']!r}" for e in self.entries if "fuzzy" in e["flags"]]
        self.assertEqual(fuzzy, [], f"fuzzy in {PO_PATH}: check the translation, drop the flag")

    def test_translations_keep_the_placeholders_of_their_originals(self):
        wrong = []
        for entry in self.messages:
            flags = entry["flags"]
            translations = entry["msgstr"]
            if "msgid_plural" in entry:
                # A singular may say "one" where its original says %(counter)s; the other
                # forms keep every placeholder of the plural original.
                allowed = set(placeholders(entry["msgid"] + entry["msgid_plural"], flags))
                ok = all(set(placeholders(t, flags)) <= allowed for t in translations.values())
                ok = ok and all(
                    placeholders(translations[form], flags)
                    == placeholders(entry["msgid_plural"], flags)
                    for form in translations
                    if form > 0
                )
            else:
                ok = placeholders(translations[0], flags) == placeholders(entry["msgid"], flags)
            if not ok:
                wrong.append(f"line {entry['line']}: {entry['msgid']!r}")
        self.assertEqual(wrong, [], "a translation lost or changed a placeholder")

    def test_the_compiled_catalog_holds_what_the_po_file_says(self):
        stale = differences(catalog_of_mo(MO_PATH), catalog_of_po(self.entries))
        self.assertEqual(stale, [], f"{MO_PATH} is stale: run `make messages`")

    def test_the_compiled_catalog_is_what_msgfmt_makes_of_the_po_file(self):
        msgfmt = need_program(self, "msgfmt")
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "django.mo"
            # As compilemessages runs it: format strings are checked too.
            compiled = subprocess.run(  # noqa: S603 (a fixed program on the project's own file)
                [msgfmt, "--check-format", "-o", str(fresh), str(PO_PATH)],
                capture_output=True,
                text=True,
            )
            self.assertEqual(compiled.returncode, 0, compiled.stderr)
            stale = differences(catalog_of_mo(MO_PATH), catalog_of_mo(fresh))
        self.assertEqual(stale, [], f"{MO_PATH} is stale: run `make messages`")

    def test_the_catalog_covers_every_string_in_the_code(self):
        need_program(self, "xgettext")
        need_program(self, "msgmerge")
        root = Path(settings.BASE_DIR)

        def not_read_by_makemessages(directory, names):
            return [
                name
                for name in names
                if name in SKIPPED_DIRS
                or name.startswith(".")
                or (Path(directory, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
            ]

        with tempfile.TemporaryDirectory() as tmp:
            # A copy, because makemessages writes next to the templates it reads and into the
            # locale directory it finds: the real tree is never touched.
            copy = Path(tmp) / "project"
            shutil.copytree(root, copy, ignore=not_read_by_makemessages)
            shutil.copytree(LOCALE_DIR, copy / "locale")
            with (
                override_settings(LOCALE_PATHS=[copy / "locale"]),
                contextlib.chdir(copy),
            ):
                call_command(
                    "makemessages",
                    locale=["es"],
                    no_location=True,
                    no_obsolete=True,
                    ignore_patterns=IGNORE_PATTERNS,
                    verbosity=0,
                )
            extracted = parse_po(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
        committed = {entry_key(e) for e in self.entries}
        missing = [e["msgid"] for e in extracted if entry_key(e) not in committed]
        self.assertGreater(len(extracted), 100)
        self.assertEqual(
            missing, [], "strings not in the Spanish catalog: run `make messages` and translate"
        )


class PagesInSpanishTests(BaseTestCase):
    def ask_for_spanish(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    def test_the_login_page_is_in_spanish_for_a_browser_that_prefers_it(self):
        response = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, "Iniciar sesión en Thrive")
        self.assertNotContains(response, "Log in to Thrive")

    def test_the_language_button_switches_to_spanish_and_back(self):
        login = reverse("accounts:login")
        self.client.post(reverse("set_language"), {"language": "es", "next": login})
        self.assertContains(self.client.get(login), "Iniciar sesión")
        self.client.post(reverse("set_language"), {"language": "en", "next": login})
        self.assertContains(self.client.get(login), "Log in to Thrive")

    def test_a_survivor_record_in_spanish_has_spanish_labels_and_answers(self):
        self.login(self.case_manager)
        self.ask_for_spanish()
        response = self.client.get(reverse("survivors:detail", args=[self.survivor.pk]))
        for text in (
            "Identidad",
            "Fecha de nacimiento",
            "Plan de contacto seguro",
            "Palabra clave",
            "Datos demográficos",
            "Identidad de género",
            "Raza y origen étnico",
            "Idioma principal",
            "Necesita intérprete",
            "Historial al momento de la admisión",
            "Editar",
            # The answers, too.
            "<dd>Mujer o niña</dd>",
            "<dd>Hispano o latino</dd>",
            "<dd>Español</dd>",
            "<dd>Sí</dd>",
        ):
            self.assertContains(response, text)
        for text in ("Date of birth", "Safe-contact plan", "Woman or girl", "Hispanic or Latino"):
            self.assertNotContains(response, text)

    def test_the_count_of_search_results_uses_spanish_plural_forms(self):
        self.login(self.case_manager)
        self.ask_for_spanish()
        found = self.client.post(reverse("survivors:list"), {"q": self.survivor.legal_name})
        self.assertContains(found, "Se encontró 1 sobreviviente.")
        none = self.client.post(reverse("survivors:list"), {"q": "Nadie Con Este Nombre"})
        self.assertContains(none, "Se encontraron 0 sobrevivientes.")

    def test_a_refusal_is_in_spanish(self):
        self.login(self.analyst)
        self.ask_for_spanish()
        response = self.client.get(reverse("survivors:list"))
        self.assertContains(response, "Acceso no permitido", status_code=403)
