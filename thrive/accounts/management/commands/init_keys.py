from django.conf import settings
from django.core.management.base import BaseCommand

from thrive.lib.crypto import new_key_file_data, write_key_file


class Command(BaseCommand):
    help = "Create the encryption key file (mode 0600) if there is none. Never overwrites."

    def handle(self, *args, **options):
        path = settings.THRIVE_KEY_FILE
        if path.exists():
            self.stdout.write(f"Encryption keys: {path} (kept as it is)")
            return
        write_key_file(path, new_key_file_data())
        self.stdout.write(
            self.style.WARNING(
                f"Created the encryption key file {path} (mode 0600).\n"
                "BACK IT UP somewhere safe and separate from the database: without it every "
                "name, birth date, phone, address and note in this database is unreadable."
            )
        )
