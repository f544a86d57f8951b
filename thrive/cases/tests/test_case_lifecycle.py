"""A case from intake to graduation, closure and reopening, through the actions."""

from django.core.exceptions import ValidationError

from thrive.audit.models import AuditEvent
from thrive.cases import actions
from thrive.cases.models import Case, CaseEvent
from thrive.lib.locking import EditConflict
from thrive.test import DAY, CaseTestCase


class CaseLifecycleTests(CaseTestCase):
    def move(self, to, **kwargs):
        if to == "graduated":
            return self.graduate(self.case)
        return actions.case_change_status(self.case, actor=self.case_manager, to=to, **kwargs)

    def test_a_new_case_has_an_organization_unique_number_and_starts_at_intake(self):
        self.assertEqual(self.case.status, Case.Status.INTAKE)
        self.assertEqual(self.case.label, "C-00001")
        second = actions.case_open(
            self.survivor, actor=self.supervisor, program=self.program, data={}
        )
        self.assertEqual(second.label, "C-00002")

    def test_intake_active_on_hold_graduated_reopened_closed_each_leave_a_timestamp(self):
        for to in ["active", "on_hold", "active", "graduated", "reopened"]:
            self.move(to)
        self.move("closed", reason="moved_away")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "closed")
        self.assertEqual(self.case.closure_reason, "moved_away")
        self.assertEqual(self.case.ended_on, self.today)
        times = self.case.status_times()
        self.assertEqual(
            set(times), {"intake", "active", "on_hold", "graduated", "reopened", "closed"}
        )
        history = list(
            self.case.events.filter(kind=CaseEvent.Kind.STATUS).values_list(
                "from_status", "to_status"
            )
        )
        self.assertEqual(
            history,
            [
                ("", "intake"),
                ("intake", "active"),
                ("active", "on_hold"),
                ("on_hold", "active"),
                ("active", "graduated"),
                ("graduated", "reopened"),
                ("reopened", "closed"),
            ],
        )

    def test_reopening_clears_the_end_date_and_reason(self):
        self.move("closed", reason="lost_contact")
        self.move("reopened")
        self.case.refresh_from_db()
        self.assertEqual(
            (self.case.status, self.case.ended_on, self.case.closure_reason), ("reopened", None, "")
        )
        self.assertTrue(self.case.is_open)

    def test_closing_needs_a_reason(self):
        with self.assertRaises(ValidationError) as caught:
            self.move("closed")
        self.assertIn("closure_reason", caught.exception.message_dict)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "intake")

    def test_closing_before_the_case_opened_is_refused_and_nothing_is_saved(self):
        with self.assertRaises(ValidationError) as caught:
            self.move("closed", reason="goals_met", on=self.opened_on - DAY)
        self.assertIn("before it opened", caught.exception.message_dict["ended_on"][0])
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.version), ("intake", 1))
        self.assertEqual(self.case.events.count(), 1)

    def test_closing_before_the_last_service_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.move("closed", reason="goals_met", on=self.today - 2 * DAY)
        self.assertIn("after this date", caught.exception.message_dict["ended_on"][0])

    def test_an_ended_case_only_reopens(self):
        self.move("active")
        self.move("graduated")
        for to in ["active", "on_hold", "closed", "intake"]:
            with self.subTest(to=to), self.assertRaises(ValidationError):
                self.move(to, reason="other")

    def test_a_closing_note_is_kept_as_a_case_note(self):
        self.move("closed", reason="other", note="She moved in with her sister out of state.")
        self.assertEqual(self.case.notes.first().body, "She moved in with her sister out of state.")

    def test_each_change_is_audited_by_field_name(self):
        self.move("active")
        event = AuditEvent.objects.for_object(self.case).filter(action="change").get()
        self.assertEqual(event.changed_fields, ["status"])
        self.assertEqual(event.detail, {"version": 2})

    def test_reassigning_and_transferring_within_the_organization(self):
        other_program = actions.program_create(
            self.agency_a, actor=self.supervisor, data={"name": "Youth", "kind": "youth"}
        )
        actions.case_reassign(self.case, actor=self.supervisor, case_manager=self.supervisor)
        actions.case_transfer(
            self.case, actor=self.supervisor, program=other_program, case_manager=self.case_manager
        )
        self.case.refresh_from_db()
        self.assertEqual(
            (self.case.program, self.case.case_manager), (other_program, self.case_manager)
        )
        kinds = list(self.case.events.values_list("kind", flat=True))
        self.assertEqual(kinds, ["status", "reassigned", "transferred"])

    def test_a_case_manager_of_another_organization_cannot_be_assigned(self):
        with self.assertRaises(ValidationError) as caught:
            actions.case_reassign(self.case, actor=self.supervisor, case_manager=self.outsider)
        self.assertIn("case_manager", caught.exception.message_dict)

    def test_a_stale_version_is_a_conflict_naming_who_changed_what(self):
        stale = Case.objects.get(pk=self.case.pk)
        actions.case_update(
            self.case, actor=self.supervisor, data={"risk_level": "low"}, expected_version=1
        )
        with self.assertRaises(EditConflict) as caught:
            actions.case_update(
                stale, actor=self.case_manager, data={"trafficking_type": "sex"}, expected_version=1
            )
        conflict = caught.exception
        self.assertEqual(conflict.changed_fields(), ["risk_level"])
        self.assertEqual(conflict.changes()[0].actor, self.supervisor)
        self.case.refresh_from_db()
        self.assertEqual((self.case.risk_level, self.case.trafficking_type), ("low", "labor"))

    def test_a_status_change_on_a_stale_version_is_a_conflict(self):
        self.move("active", expected_version=1)
        with self.assertRaises(EditConflict):
            self.move("on_hold", expected_version=1)
