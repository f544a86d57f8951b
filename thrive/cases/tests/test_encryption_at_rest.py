"""The free text of casework (notes, tasks, goals, steps, service notes) is never stored in
plaintext: read every raw column of the casework tables with a cursor."""

from django.db import connection

from thrive.cases.models import ActionStep, Case, CaseEvent, CaseNote, Goal, Task
from thrive.services.models import Service
from thrive.test import CaseTestCase

FREE_TEXT = [
    "place of her own",
    "Visit two apartments",
    "Met at the shelter",
    "housing authority",
    "safe house",
]
TABLES = [Case, CaseEvent, Goal, ActionStep, CaseNote, Task, Service]


class CaseworkEncryptionAtRestTests(CaseTestCase):
    def raw_rows(self, table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are ours)
            return [" | ".join(str(v) for v in row) for row in cursor.fetchall()]

    def test_no_note_task_goal_step_or_service_text_in_any_raw_column(self):
        secrets = [*FREE_TEXT, self.survivor.legal_name, self.survivor.preferred_name]
        for model in TABLES:
            table = model._meta.db_table
            rows = self.raw_rows(table)
            self.assertTrue(rows, f"{table} is empty: the test would prove nothing")
            for row in rows:
                for secret in secrets:
                    self.assertNotIn(secret, row, f"{secret!r} in plaintext in {table}")

    def test_each_free_text_column_holds_ciphertext_with_a_key_id(self):
        columns = [
            (CaseNote, "body", self.note),
            (Task, "title", self.task),
            (Goal, "description", self.goal),
            (ActionStep, "description", self.step),
            (Service, "notes", self.service),
        ]
        for model, column, obj in columns:
            with self.subTest(model=model.__name__), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
                    [obj.pk],
                )
                self.assertRegex(cursor.fetchone()[0], r"^v1:test1:[A-Za-z0-9+/=]+$")
