"""The screening pages: administering from a survivor, the screening's page, the survivor's
list of screenings; who may open them."""

from thrive.audit.models import AuditEvent
from thrive.screening.actions import screening_record
from thrive.screening.instruments import load_instrument, parse_instrument
from thrive.screening.models import Screening, ScreeningInstrument
from thrive.screening.tests.factories import instrument_text
from thrive.test import BaseTestCase


def checklist():
    return ScreeningInstrument.objects.get(code="thrive-indicators", version=1)


class ScreeningNewTests(BaseTestCase):
    def url(self):
        return f"/screening/new/{self.survivor.pk}/"

    def form_data(self, **changes):
        tool = checklist()
        data = {"instrument": tool.pk, "notes": "Called from a shelter phone."}
        data |= {f"answer_{i['id']}": "no" for i in tool.items}
        return data | changes

    def post(self, user=None, **changes):
        self.login(user or self.advocate)
        return self.client.post(self.url(), self.form_data(**changes))

    def test_the_form_shows_every_question_and_the_not_validated_notice(self):
        self.login(self.advocate)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thrive indicator checklist")
        self.assertContains(response, "Not validated: for conversation, not diagnosis.")
        self.assertContains(response, "Does someone else take or keep most of the money you earn?")
        self.assertContains(response, 'name="answer_holds_documents"', count=3)
        self.assertContains(response, "Human Trafficking Case Data Standard")  # the citation

    def test_the_form_speaks_spanish_to_a_spanish_reader(self):
        self.login(self.advocate)
        self.client.cookies["django_language"] = "es"
        response = self.client.get(self.url(), HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, "Lista de indicadores de Thrive")
        self.assertContains(response, "¿Otra persona se queda con la mayor parte del dinero")
        self.assertContains(response, "No validada: para conversar, no para diagnosticar.")

    def test_opening_the_form_is_recorded_as_a_view_of_the_survivor(self):
        self.login(self.advocate)
        self.client.get(self.url())
        event = AuditEvent.objects.get(action="view", object_type="survivors.survivor")
        self.assertEqual(event.detail, {"page": "screening_new"})

    def test_a_hotline_advocate_records_a_screening_and_sees_its_result(self):
        response = self.post(answer_takes_earnings="yes", answer_restricts_movement="yes")
        screening = Screening.objects.get()
        self.assertRedirects(response, f"/screening/{screening.pk}/", fetch_redirect_response=False)
        self.assertEqual((screening.score, screening.result), (2, "possible_concern"))
        self.assertEqual(screening.administered_by, self.advocate)
        self.assertEqual(screening.notes, "Called from a shelter phone.")
        page = self.client.get(response["Location"])
        self.assertContains(page, "Screening recorded: Possible concern.")

    def test_an_answer_outside_the_options_is_shown_at_its_question_and_nothing_is_saved(self):
        response = self.post(answer_threats="sometimes")
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(list(errors), ["answer_threats"])
        self.assertIn("“sometimes” is not one of the answers", errors["answer_threats"][0])
        self.assertContains(response, "Nothing has been saved yet.")
        self.assertFalse(Screening.objects.exists())

    def test_an_unanswered_question_is_shown_at_its_question_and_nothing_is_saved(self):
        response = self.post(answer_owes_debt="")
        self.assertEqual(
            response.context["form"].errors, {"answer_owes_debt": ["Answer this question."]}
        )
        self.assertFalse(Screening.objects.exists())

    def test_an_instrument_that_does_not_exist_is_refused(self):
        response = self.post(instrument="999999")
        self.assertEqual(response.status_code, 200)
        self.assertIn("instrument", response.context["form"].errors)
        self.assertFalse(Screening.objects.exists())

    def test_the_newest_version_of_each_instrument_is_offered_and_another_may_be_chosen(self):
        for version in (1, 2):
            load_instrument(
                parse_instrument(instrument_text(version=version)),
                ScreeningInstrument=ScreeningInstrument,
            )
        v2 = ScreeningInstrument.objects.get(code="test-tool", version=2)
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(
            [i.pk for i in response.context["offered"]],
            [v2.pk, checklist().pk],
        )
        response = self.client.get(self.url(), {"instrument": v2.pk})
        self.assertEqual(response.context["instrument"], v2)
        self.assertContains(response, "Question first?")
        self.assertNotContains(response, "Not validated")
        response = self.client.post(
            self.url(), {"instrument": v2.pk, "answer_first": "yes", "answer_second": "yes"}
        )
        self.assertEqual(Screening.objects.get().result, "clear_concern")


class ScreeningDetailAndListTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        tool = checklist()
        answers = {i["id"]: "no" for i in tool.items} | {"holds_documents": "yes"}
        cls.screening = screening_record(
            cls.survivor, actor=cls.advocate, instrument=tool, answers=answers, notes="Quiet call."
        )

    def test_the_screening_page_shows_each_answer_in_the_versions_words_and_is_audited(self):
        self.login(self.case_manager)
        response = self.client.get(f"/screening/{self.screening.pk}/")
        self.assertContains(response, "Possible concern")
        self.assertContains(response, "Does someone else keep your ID, passport or other papers")
        self.assertContains(response, "Quiet call.")
        self.assertContains(response, "Not validated: for conversation, not diagnosis.")
        event = AuditEvent.objects.get(action="view", object_type="screening.screening")
        self.assertEqual(
            (event.object_id, event.actor), (str(self.screening.pk), self.case_manager)
        )

    def test_the_survivors_screenings_are_listed_with_a_constant_number_of_queries(self):
        self.login(self.supervisor)
        url = f"/screening/survivor/{self.survivor.pk}/"
        self.client.get(url)  # sessions and caches warmed
        with self.assertNumQueries(11):
            response = self.client.get(url)
        screening_record(
            self.survivor,
            actor=self.supervisor,
            instrument=checklist(),
            answers={i["id"]: "no" for i in checklist().items},
        )
        with self.assertNumQueries(11):
            response = self.client.get(url)
        self.assertEqual(len(response.context["screenings"]), 2)
        self.assertContains(response, "not validated")
        self.assertContains(response, f'href="/screening/{self.screening.pk}/"')

    def test_an_outsider_gets_404_on_every_screening_page(self):
        self.login(self.outsider)
        for url in (
            f"/screening/{self.screening.pk}/",
            f"/screening/survivor/{self.survivor.pk}/",
            f"/screening/new/{self.survivor.pk}/",
            f"/screening/identify/{self.survivor.pk}/",
        ):
            for method in ("get", "post"):
                with self.subTest(url=url, method=method):
                    response = getattr(self.client, method)(url)
                    # A page that only reads answers a POST with 405, before any look-up.
                    self.assertIn(response.status_code, {404} if method == "get" else {404, 405})
                    self.assertNoSurvivorData(response)

    def test_analysts_and_trainers_get_403_on_every_screening_page(self):
        for user in (self.analyst, self.trainer):
            self.login(user)
            for url in (
                f"/screening/{self.screening.pk}/",
                f"/screening/survivor/{self.survivor.pk}/",
                f"/screening/new/{self.survivor.pk}/",
                f"/screening/identify/{self.survivor.pk}/",
            ):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 403)
                    self.assertNoSurvivorData(response)
        self.assertEqual(Screening.objects.count(), 1)

    def test_a_screening_of_another_organization_is_not_found_even_by_its_own_staff(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(f"/screening/{self.screening.pk}/").status_code, 404)
        self.assertFalse(
            AuditEvent.objects.filter(actor=self.outsider, object_type="screening.screening")
        )
