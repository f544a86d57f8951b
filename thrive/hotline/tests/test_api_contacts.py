"""Contacts over /api/v1: logged once per Idempotency-Key, even under concurrent retries;
read under the pages' access rules."""

import json
import sqlite3
import tempfile
import threading
import uuid
from pathlib import Path

from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase

from thrive.accounts.actions import api_token_create
from thrive.accounts.models import Organization, Role
from thrive.audit.models import AuditEvent
from thrive.hotline import actions
from thrive.hotline.models import Contact
from thrive.test import BaseTestCase, make_member

CALL = {
    "received_at": "2026-01-15T03:12:00-08:00",
    "channel": "call",
    "caller_role": "potential_victim",
    "reason": "crisis",
    "urgency": "immediate",
    "indicators": ["WithholdsDocuments", "DebtBondage"],
    "summary": "Calling from a gas station; the boss keeps her passport.",
    "caller_phone": "+1 (415) 555-0142",
    "county": "Alameda",
}


def token_for(user):
    return api_token_create(user.memberships.get(), actor=user, name="test")[1]


def post_contact(client, token, body, key):
    headers = {"authorization": f"Bearer {token}"}
    if key is not None:
        headers["idempotency-key"] = str(key)
    return client.post(
        "/api/v1/contacts", data=json.dumps(body), content_type="application/json", headers=headers
    )


class ContactApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tokens = {
            u.pk: token_for(u) for u in (cls.advocate, cls.case_manager, cls.analyst, cls.outsider)
        }

    def post(self, body=None, *, key="new", user=None):
        key = uuid.uuid4() if key == "new" else key
        token = self.tokens[(user or self.advocate).pk]
        return post_contact(self.client, token, CALL if body is None else body, key)

    def get(self, path, user=None):
        headers = {"authorization": f"Bearer {self.tokens[(user or self.advocate).pk]}"}
        return self.client.get(f"/api/v1{path}", headers=headers)

    def assertFieldError(self, response, field, fragment=""):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, 400, response.content[:800])
        body = response.json()
        self.assertIn(field, body["errors"], body)
        self.assertIn(fragment, " ".join(body["errors"][field]))
        self.assertFalse(Contact.objects.exists())

    def test_logs_the_contact_and_answers_201_with_it(self):
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content[:800])
        body = response.json()
        contact = Contact.objects.get()
        self.assertEqual(body["id"], contact.pk)
        self.assertEqual(body["label"], contact.label)
        self.assertEqual(body["status"], "logged")
        self.assertEqual(body["handled_by"]["username"], "advocate")
        self.assertEqual(body["summary"], CALL["summary"])
        self.assertEqual(body["caller_phone"], CALL["caller_phone"])
        self.assertEqual(body["indicators"], CALL["indicators"])
        self.assertEqual(contact.received_at.isoformat(), "2026-01-15T11:12:00+00:00")
        self.assertEqual(AuditEvent.objects.for_object(contact).get().action, "create")

    def test_the_time_defaults_to_now(self):
        body = {k: v for k, v in CALL.items() if k != "received_at"}
        response = self.post(body)
        self.assertEqual(response.status_code, 201)
        self.assertIsNotNone(Contact.objects.get().received_at)

    def test_a_retry_with_the_same_key_answers_200_with_the_first_contact_unchanged(self):
        key = uuid.uuid4()
        first = self.post(key=key).json()
        retry = self.post({**CALL, "summary": "A different body", "channel": "text"}, key=key)
        self.assertEqual(retry.status_code, 200)
        self.assertEqual(retry.json(), first)
        self.assertEqual(Contact.objects.count(), 1)
        self.assertEqual(Contact.objects.get().summary, CALL["summary"])

    def test_the_key_is_required_and_must_be_a_uuid(self):
        self.assertFieldError(self.post(key=None), "Idempotency-Key", "Send an Idempotency-Key")
        self.assertFieldError(self.post(key="1234"), "Idempotency-Key", "must be a UUID")

    def test_a_contact_needs_a_channel_a_time_and_a_reason(self):
        response = self.post({**CALL, "channel": "", "received_at": None, "reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()["errors"]), {"channel", "received_at", "reason"})
        self.assertFalse(Contact.objects.exists())

    def test_unknown_indicators_choices_and_fields_are_400_by_field(self):
        self.assertFieldError(
            self.post({**CALL, "indicators": ["Hypnosis"]}), "indicators", "Hypnosis"
        )
        self.assertFieldError(self.post({**CALL, "channel": "pigeon"}), "channel")
        self.assertFieldError(self.post({**CALL, "colour": "red"}), "colour")
        self.assertFieldError(
            self.post({**CALL, "received_at": "2026-01-15T03:12:00"}), "received_at", "offset"
        )

    def test_a_mandated_report_needs_a_minor(self):
        self.assertFieldError(
            self.post({**CALL, "disposition": "mandated_report"}), "disposition", "minor"
        )
        body = {**CALL, "disposition": "mandated_report", "indicators": ["minor_involved"]}
        self.assertEqual(self.post(body).status_code, 201)

    def test_analysts_get_403_whatever_they_send(self):
        self.assertEqual(self.post(user=self.analyst).status_code, 403)
        self.assertEqual(self.post(body=[], key=None, user=self.analyst).status_code, 403)
        self.assertEqual(self.get("/contacts", self.analyst).status_code, 403)
        self.assertFalse(Contact.objects.exists())

    def test_reads_a_contact_and_records_the_view(self):
        contact_id = self.post().json()["id"]
        response = self.get(f"/contacts/{contact_id}", self.case_manager)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["summary"], CALL["summary"])
        view = AuditEvent.objects.filter(action="view").get()
        self.assertEqual((view.actor, view.detail), (self.case_manager, {"via": "api"}))

    def test_the_outsider_gets_404_on_a_contact_whatever_they_send(self):
        contact_id = self.post().json()["id"]
        self.assertEqual(self.get(f"/contacts/{contact_id}", self.outsider).status_code, 404)
        self.assertEqual(self.get("/contacts/99999999", self.advocate).status_code, 404)
        self.assertEqual(self.get("/contacts", self.outsider).json()["count"], 0)
        self.assertFalse(AuditEvent.objects.filter(action="view").exists())

    def test_someone_elses_draft_is_not_found(self):
        draft = actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=uuid.uuid4(), data={"summary": "typing"}
        )
        self.assertEqual(self.get(f"/contacts/{draft.pk}", self.case_manager).status_code, 404)
        self.assertEqual(self.get(f"/contacts/{draft.pk}", self.advocate).status_code, 200)

    def test_the_list_is_newest_first_without_free_text_in_constant_queries(self):
        for hour in (1, 3, 2):
            self.post({**CALL, "received_at": f"2026-01-15T0{hour}:00:00-08:00"})
        self.get("/contacts")
        with self.assertNumQueries(4):  # token, membership, count, page
            response = self.get("/contacts")
        body = response.json()
        self.assertEqual(body["count"], 3)
        hours = [r["received_at"][11:13] for r in body["results"]]
        self.assertEqual(hours, ["11", "10", "09"])
        self.assertNotIn("passport", response.content.decode())
        self.assertNotIn("555", response.content.decode())

    def test_the_openapi_schema_lists_the_contact_endpoints(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        self.assertIn("/api/v1/contacts", schema["paths"])
        self.assertIn("/api/v1/contacts/{contact_id}", schema["paths"])
        post = schema["paths"]["/api/v1/contacts"]["post"]
        self.assertIn("Idempotency-Key", [p["name"] for p in post["parameters"]])


class SqliteFile:
    """On SQLite the test database lives in memory with a shared cache, where a second writer
    fails at once with "database table is locked" (shared-cache locks ignore the busy timeout).
    Production runs on a file in WAL mode, where a writer waits its turn. So the concurrent
    test copies the (empty, migrated) test database to a file and runs on it, with the
    production settings (WAL, IMMEDIATE transactions, the busy timeout), then goes back."""

    def __enter__(self):
        if connection.vendor != "sqlite":
            return self
        self.settings = connection.settings_dict
        self.memory_name = self.settings["NAME"]
        connection.ensure_connection()
        # Keeps the in-memory database alive while no Django connection is open on it.
        self.keeper = sqlite3.connect(self.memory_name, uri=True)
        self.directory = tempfile.TemporaryDirectory()
        path = Path(self.directory.name) / "concurrent.sqlite3"
        with sqlite3.connect(path) as target:
            self.keeper.backup(target)
        self.settings["NAME"] = str(path)  # every thread's new connection opens the file
        connection.close()  # (a connection to the in-memory database ignores close())
        return self

    def __exit__(self, *exc):
        if connection.vendor != "sqlite":
            return
        connection.close()
        self.settings["NAME"] = self.memory_name
        # Reconnect to the in-memory database while the keeper still holds it open: closing
        # its last connection would destroy it, and every later test with it.
        connection.ensure_connection()
        self.keeper.close()
        self.directory.cleanup()


class ConcurrentRetryTests(TransactionTestCase):
    """Eight clients POST the same Idempotency-Key at the same moment: one contact, one 201,
    seven 200s naming it. On SQLite and PostgreSQL both."""

    THREADS = 8

    def test_concurrent_retries_make_one_contact(self):
        with SqliteFile():
            agency = Organization.objects.create(name="A", slug="a", kind="service_provider")
            advocate = make_member("advocate", agency, Role.HOTLINE_ADVOCATE)
            token = token_for(advocate)
            key = uuid.uuid4()
            barrier = threading.Barrier(self.THREADS)
            answers, failures = [], []

            def retry():
                client = Client()
                try:
                    barrier.wait()
                    response = post_contact(client, token, CALL, key)
                    answers.append((response.status_code, response.json().get("id")))
                except Exception as exc:  # reported below, with the thread's answer
                    failures.append(repr(exc))
                finally:
                    close_old_connections()
                    connection.close()

            threads = [threading.Thread(target=retry) for _ in range(self.THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(failures, [])
            statuses = sorted(status for status, _ in answers)
            self.assertEqual(statuses, [200] * (self.THREADS - 1) + [201], answers)
            self.assertEqual(Contact.objects.count(), 1)
            self.assertEqual({pk for _, pk in answers}, {Contact.objects.get().pk})
            self.assertEqual(
                AuditEvent.objects.filter(action="create", object_type="hotline.contact").count(),
                1,
            )
            connection.close()
