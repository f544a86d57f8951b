from django.db import connection

from thrive.survivors.models import Survivor, SurvivorLookup
from thrive.test import BaseTestCase


class EncryptionAtRestTests(BaseTestCase):
    def raw_rows(self, table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are ours)
            return [" | ".join(str(v) for v in row) for row in cursor.fetchall()]

    def test_no_name_birth_date_phone_or_address_in_any_raw_column(self):
        s = self.survivor
        secrets = [
            s.legal_name,
            "Castillo",
            "Majo",
            s.phone,
            "555-0142",
            "4155550142",
            s.date_of_birth.isoformat(),
            "1999",
            s.email,
            "Harbor Street",
            "marigold",
        ]
        tables = [Survivor._meta.db_table, SurvivorLookup._meta.db_table, "audit_auditevent"]
        for table in tables:
            for row in self.raw_rows(table):
                for secret in secrets:
                    self.assertNotIn(secret, row, f"{secret!r} in plaintext in {table}")

    def test_raw_columns_hold_ciphertext_with_a_key_id(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT legal_name, date_of_birth, phone FROM survivors_survivor WHERE id = %s",
                [self.survivor.pk],
            )
            row = cursor.fetchone()
        for value in row:
            self.assertRegex(value, r"^v1:test1:[A-Za-z0-9+/=]+$")

    def test_values_read_back_as_plaintext(self):
        fresh = Survivor.objects.get(pk=self.survivor.pk)
        self.assertEqual(fresh.legal_name, "María José Castillo")
        self.assertEqual(fresh.date_of_birth.isoformat(), "1999-04-17")
        self.assertEqual(fresh.phone, "+1 (415) 555-0142")
