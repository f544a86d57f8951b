import json
import os
import stat
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from thrive.lib import crypto
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase


def raw_key_ids(survivor):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_name, date_of_birth, phone FROM survivors_survivor WHERE id = %s",
            [survivor.pk],
        )
        return {value.split(":")[1] for value in cursor.fetchone()}


class KeyCommandTests(BaseTestCase):
    def tearDown(self):
        crypto.keyring.cache_clear()

    def test_init_keys_creates_a_0600_key_file_once_and_warns_to_back_it_up(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "keys.json"
            out = StringIO()
            with override_settings(THRIVE_KEY_FILE=path):
                call_command("init_keys", stdout=out)
                first = path.read_text()
                call_command("init_keys", stdout=StringIO())
            self.assertIn("BACK IT UP", out.getvalue())
            self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
            self.assertEqual(path.read_text(), first, "an existing key file is never replaced")

    def test_rotate_keys_re_encrypts_every_row_under_the_new_active_key(self):
        old = os.environ["THRIVE_ENCRYPTION_KEYS"]
        self.assertEqual(raw_key_ids(self.survivor), {"test1"})
        rotated = f"test2:{crypto.new_key()},{old}"
        with mock.patch.dict(os.environ, {"THRIVE_ENCRYPTION_KEYS": rotated}):
            crypto.keyring.cache_clear()
            out = StringIO()
            call_command("rotate_keys", "--batch-size", "1", stdout=out)
            self.assertIn("survivors.Survivor: 1 rows re-encrypted", out.getvalue())
            self.assertEqual(raw_key_ids(self.survivor), {"test2"})
            # Only the new key is needed from now on.
            only_new = rotated.split(",")[0]
            with mock.patch.dict(os.environ, {"THRIVE_ENCRYPTION_KEYS": only_new}):
                crypto.keyring.cache_clear()
                fresh = Survivor.objects.get(pk=self.survivor.pk)
                self.assertEqual(fresh.legal_name, "María José Castillo")
                self.assertEqual(fresh.date_of_birth.isoformat(), "1999-04-17")
            # A second run finds nothing left to do.
            crypto.keyring.cache_clear()
            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertIn("survivors.Survivor: 0 rows re-encrypted", out.getvalue())
        self.assertEqual(Survivor.objects.with_name("maria jose castillo").get(), self.survivor)

    def test_rotate_keys_new_key_adds_and_activates_a_key_in_the_key_file(self):
        kid, key = os.environ["THRIVE_ENCRYPTION_KEYS"].split(":", 1)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "keys.json"
            crypto.write_key_file(
                path,
                {
                    "active": kid,
                    "keys": {kid: key},
                    "blind_index_key": os.environ["THRIVE_BLIND_INDEX_KEY"],
                },
            )
            env = {k: v for k, v in os.environ.items() if k != "THRIVE_ENCRYPTION_KEYS"}
            with (
                mock.patch.dict(os.environ, env, clear=True),
                override_settings(THRIVE_KEY_FILE=path),
            ):
                crypto.keyring.cache_clear()
                call_command("rotate_keys", "--new-key", stdout=StringIO())
                data = json.loads(path.read_text())
                self.assertNotEqual(data["active"], kid)
                self.assertEqual(set(data["keys"]), {kid, data["active"]})
                self.assertEqual(raw_key_ids(self.survivor), {data["active"]})
                self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
