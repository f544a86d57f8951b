"""Re-encrypt every encrypted field under the active key, in batches.

    manage.py rotate_keys --new-key   add a fresh key to the key file, make it active, re-encrypt
    manage.py rotate_keys             re-encrypt rows still under an older key

Old keys stay loaded so existing rows decrypt; once this finishes, no row uses them and they
can be removed from the key file (or THRIVE_ENCRYPTION_KEYS). Safe to interrupt and re-run:
each batch commits on its own, and rows already under the active key are skipped.
"""

import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from thrive.lib import crypto
from thrive.lib.fields import EncryptedMixin


def encrypted_models():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields under the active key (optionally adding a new key)."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="add and activate a new key")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, new_key, batch_size, **options):
        if new_key:
            self.add_key()
        ring = crypto.keyring()
        for model, fields in encrypted_models():
            total = self.rotate_model(model, fields, ring, batch_size)
            self.stdout.write(f"{model._meta.label}: {total} rows re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(f"All encrypted fields are under key {ring.active_id}.")
        )

    def add_key(self):
        path = settings.THRIVE_KEY_FILE
        if not path.exists():
            raise CommandError(
                f"--new-key needs the key file {path}; with keys in the "
                "environment, put the new key first in THRIVE_ENCRYPTION_KEYS."
            )
        data = json.loads(path.read_text())
        kid = crypto.new_key_id()
        data["keys"][kid] = crypto.new_key()
        data["active"] = kid
        crypto.write_key_file(path, data)
        crypto.keyring.cache_clear()
        self.stdout.write(self.style.WARNING(f"Key {kid} added and active. Back up {path} again."))

    def rotate_model(self, model, fields, ring, batch_size):
        """Reads raw ciphertexts (values()), so rows already under the active key are skipped
        without decrypting them."""
        names = [f.attname for f in fields]
        manager = model._base_manager
        last_pk, total = 0, 0
        while True:
            with transaction.atomic():
                raw_rows = list(
                    manager.filter(pk__gt=last_pk)
                    .order_by("pk")
                    .values_list("pk", *[_raw(name) for name in names])[:batch_size]
                )
                if not raw_rows:
                    return total
                last_pk = raw_rows[-1][0]
                stale = [
                    row[0]
                    for row in raw_rows
                    if any(
                        value and crypto.Keyring.key_id_of(value) != ring.active_id
                        for value in row[1:]
                    )
                ]
                objs = list(manager.filter(pk__in=stale))
                if objs:
                    manager.bulk_update(objs, names)  # get_prep_value encrypts under the active key
                    total += len(objs)


def _raw(name):
    """The stored ciphertext, not the decrypted value."""
    return Cast(F(name), TextField())
