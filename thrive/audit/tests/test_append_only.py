from django.contrib.admin.sites import site
from django.test import RequestFactory

from thrive.audit.models import AppendOnlyError, AuditEvent
from thrive.test import BaseTestCase


class AppendOnlyTests(BaseTestCase):
    def setUp(self):
        self.event = AuditEvent.objects.for_object(self.survivor).get()

    def test_an_event_cannot_be_changed_through_save(self):
        self.event.action = AuditEvent.Action.VIEW
        with self.assertRaises(AppendOnlyError):
            self.event.save()
        self.event.refresh_from_db()
        self.assertEqual(self.event.action, AuditEvent.Action.CREATE)

    def test_an_event_cannot_be_deleted(self):
        with self.assertRaises(AppendOnlyError):
            self.event.delete()
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    def test_events_cannot_be_updated_in_bulk(self):
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.all().update(action="view")
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.bulk_update([self.event], ["action"])

    def test_the_admin_is_read_only(self):
        model_admin = site._registry[AuditEvent]
        request = RequestFactory().get("/admin/audit/auditevent/")
        request.user = self.supervisor
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, self.event))
        self.assertFalse(model_admin.has_delete_permission(request, self.event))
