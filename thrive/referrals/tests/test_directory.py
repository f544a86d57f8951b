"""The partner directory's pages: search by each filter, the confidential location shown only
to the organization that keeps the entry, who may list and change entries, and the beds and
waitlist update."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions
from thrive.referrals.models import Partner
from thrive.services.models import ServiceType
from thrive.test import CaseTestCase, make_member

SECRET = "14 Quiet Orchard Lane, Oakport"


class DirectoryTestCase(CaseTestCase):
    """Agency A keeps an external safe house (confidential location); agency B lists itself
    as a legal clinic; an unlisted entry is never found."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.director = make_member("director", cls.agency_a, Role.PROGRAM_DIRECTOR)
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        cls.safe_house = actions.partner_save(
            Partner(),
            actor=cls.supervisor,
            organization=cls.agency_a,
            data={
                "name": "Harbor safe house",
                "counties": ["Alameda", "Contra Costa"],
                "languages": ["en", "es"],
                "populations": ["sex"],
                "age_min": 18,
                "age_max": 24,
                "location": SECRET,
                "beds_available": 2,
                "waitlist": 5,
                "phone": "+1 510 555 0100",
            },
            service_types=[cls.shelter],
        )
        cls.clinic = actions.partner_save(
            Partner(organization=cls.agency_b),
            actor=cls.outsider,
            organization=cls.agency_b,
            data={
                "name": "Valley legal clinic",
                "counties": ["Marin"],
                "languages": ["vi"],
                "populations": ["labor"],
                "email": "intake@valley.example.org",
            },
            service_types=[cls.legal],
        )
        cls.closed = actions.partner_save(
            Partner(),
            actor=cls.supervisor,
            organization=cls.agency_a,
            data={"name": "Closed shelter", "counties": ["Alameda"], "is_active": False},
            service_types=[cls.shelter],
        )

    def found(self, user=None, **query):
        self.login(user or self.case_manager)
        response = self.client.get("/referrals/directory/", query)
        self.assertEqual(response.status_code, 200)
        return [p.name for p in response.context["page"]]

    def new_entry(self, user, **changes):
        data = {
            "name": "Bay counselling",
            "service_types": [str(self.legal.pk)],
            "counties": "Alameda, Marin, alameda",
            "languages": ["es"],
            "acknowledge_days": "2",
            "is_active": "on",
            "serves_foreign_nationals": "on",
        }
        data.update(changes)
        self.login(user)
        return self.client.post("/referrals/directory/new/", data)


class SearchTests(DirectoryTestCase):
    def test_every_listed_provider_and_never_an_unlisted_one(self):
        self.assertEqual(self.found(), ["Harbor safe house", "Valley legal clinic"])

    def test_search_by_service(self):
        self.assertEqual(self.found(service="emergency_shelter"), ["Harbor safe house"])
        self.assertEqual(self.found(service="immigration_relief"), ["Valley legal clinic"])

    def test_search_by_county_whatever_its_case(self):
        self.assertEqual(self.found(county="contra costa"), ["Harbor safe house"])
        self.assertEqual(self.found(county=" Marin "), ["Valley legal clinic"])
        self.assertEqual(self.found(county="Sonoma"), [])

    def test_search_by_language(self):
        self.assertEqual(self.found(language="es"), ["Harbor safe house"])
        self.assertEqual(self.found(language="vi"), ["Valley legal clinic"])

    def test_search_by_age_within_the_range_served(self):
        self.assertEqual(self.found(age="17"), ["Valley legal clinic"])
        self.assertEqual(self.found(age="20"), ["Harbor safe house", "Valley legal clinic"])
        self.assertEqual(self.found(age="25"), ["Valley legal clinic"])

    def test_search_by_trafficking_type(self):
        self.assertEqual(self.found(population="sex"), ["Harbor safe house"])
        self.assertEqual(self.found(population="labor"), ["Valley legal clinic"])

    def test_filters_combine(self):
        self.assertEqual(self.found(service="emergency_shelter", language="vi"), [])
        self.assertEqual(
            self.found(service="emergency_shelter", county="Alameda", language="es", age="19"),
            ["Harbor safe house"],
        )

    def test_a_bad_search_is_told_at_its_field_and_lists_nothing(self):
        self.login(self.case_manager)
        response = self.client.get("/referrals/directory/", {"age": "-3", "service": "nothing"})
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"age", "service"})
        self.assertEqual(list(response.context["page"]), [])

    def test_results_show_services_availability_contact_and_the_on_thrive_badge(self):
        self.login(self.case_manager)
        body = self.client.get("/referrals/directory/").content.decode()
        self.assertIn(self.shelter.name, body)
        self.assertIn("Waitlist: 5", body)
        self.assertIn("+1 510 555 0100", body)
        self.assertIn("intake@valley.example.org", body)
        self.assertIn("Ages 18–24", body)
        self.assertEqual(body.count("On Thrive"), 1)  # agency B's own entry

    def test_every_role_of_every_organization_reads_the_directory(self):
        for user in (self.analyst, self.trainer, self.advocate, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.found(user), ["Harbor safe house", "Valley legal clinic"])
                response = self.client.get(f"/referrals/directory/{self.clinic.pk}/")
                self.assertEqual(response.status_code, 200)

    def test_the_query_count_does_not_grow_with_the_page(self):
        def count():
            self.login(self.case_manager)
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get("/referrals/directory/", {"county": "Alameda"})
            self.assertEqual(response.status_code, 200)
            return len(captured), len(response.context["page"])

        few, shown = count()
        for n in range(12):
            actions.partner_save(
                Partner(),
                actor=self.supervisor,
                organization=self.agency_a,
                data={"name": f"Shelter {n}", "counties": ["Alameda"]},
                service_types=[self.shelter, self.legal],
            )
        many, shown_now = count()
        self.assertEqual(shown_now, shown + 12)
        self.assertEqual(many, few)

    def test_a_page_of_the_results(self):
        with self.settings(THRIVE_PAGE_SIZE=1):
            self.login(self.case_manager)
            response = self.client.get("/referrals/directory/", {"page": "2"})
        self.assertEqual([p.name for p in response.context["page"]], ["Valley legal clinic"])


class ConfidentialLocationTests(DirectoryTestCase):
    def test_the_keeping_organization_sees_the_location(self):
        for user in (self.supervisor, self.case_manager, self.advocate):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(f"/referrals/directory/{self.safe_house.pk}/")
                self.assertContains(response, SECRET)

    def test_another_organization_and_a_role_without_people_never_see_it(self):
        for user in (self.outsider, self.analyst, self.trainer):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(f"/referrals/directory/{self.safe_house.pk}/")
                self.assertContains(response, "Location confidential")
                self.assertNotContains(response, "Quiet Orchard")

    def test_search_results_never_carry_it_even_for_the_keeping_organization(self):
        for user in (self.supervisor, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                for query in ({}, {"county": "Alameda"}, {"service": "emergency_shelter"}):
                    response = self.client.get("/referrals/directory/", query)
                    self.assertNotContains(response, "Quiet Orchard")

    def test_the_outsider_cannot_reach_it_through_the_edit_form(self):
        self.login(self.outsider)
        response = self.client.get(f"/referrals/directory/{self.safe_house.pk}/edit/")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("Quiet Orchard", response.content.decode())


class EditRightsTests(DirectoryTestCase):
    def test_a_supervisor_lists_an_external_provider_kept_by_the_organization(self):
        response = self.new_entry(self.supervisor)
        entry = Partner.objects.get(name="Bay counselling")
        self.assertRedirects(response, f"/referrals/directory/{entry.pk}/")
        self.assertEqual(entry.maintained_by, self.agency_a)
        self.assertIsNone(entry.organization)
        self.assertEqual(entry.counties, ["Alameda", "Marin"])
        self.assertEqual(list(entry.service_types.all()), [self.legal])
        self.assertTrue(
            AuditEvent.objects.for_object(entry).filter(action=AuditEvent.Action.CREATE).exists()
        )

    def test_an_organization_lists_itself_once(self):
        self.new_entry(self.director, on_thrive="on", name="Agency A")
        entry = Partner.objects.get(name="Agency A")
        self.assertEqual(entry.organization, self.agency_a)
        response = self.new_entry(self.director, on_thrive="on", name="Agency A again")
        self.assertEqual(response.status_code, 200)
        self.assertIn("on_thrive", response.context["form"].errors)
        self.assertFalse(Partner.objects.filter(name="Agency A again").exists())

    def test_bad_input_is_told_at_the_field_and_nothing_is_saved(self):
        response = self.new_entry(
            self.supervisor, age_min="30", age_max="20", email="not an email", service_types=[]
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"email", "service_types"})
        response = self.new_entry(self.supervisor, age_min="30", age_max="20")
        self.assertEqual(set(response.context["form"].errors), {"age_max"})
        self.assertContains(response, "The oldest age is below the youngest.")
        self.assertFalse(Partner.objects.filter(name="Bay counselling").exists())

    def test_the_keeping_supervisor_changes_the_entry(self):
        self.login(self.supervisor)
        page = self.client.get(f"/referrals/directory/{self.safe_house.pk}/edit/")
        self.assertContains(page, SECRET)  # the keeper edits the location
        response = self.client.post(
            f"/referrals/directory/{self.safe_house.pk}/edit/",
            {
                "name": "Harbor safe house",
                "service_types": [str(self.shelter.pk), str(self.legal.pk)],
                "counties": "Alameda",
                "languages": ["en"],
                "location": "A new address",
                "acknowledge_days": "1",
                "is_active": "on",
            },
        )
        self.assertRedirects(response, f"/referrals/directory/{self.safe_house.pk}/")
        self.safe_house.refresh_from_db()
        self.assertEqual(self.safe_house.counties, ["Alameda"])
        self.assertEqual(self.safe_house.location, "A new address")
        self.assertEqual(self.safe_house.service_types.count(), 2)

    def test_other_roles_and_other_organizations_may_not_change_it(self):
        path = f"/referrals/directory/{self.safe_house.pk}/edit/"
        for user in (self.case_manager, self.advocate, self.analyst, self.trainer, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(path).status_code, 403)
                response = self.client.post(path, {"name": "Taken", "counties": "Nowhere"})
                self.assertEqual(response.status_code, 403)
        self.safe_house.refresh_from_db()
        self.assertEqual(self.safe_house.name, "Harbor safe house")

    def test_only_supervisors_and_directors_list_a_provider(self):
        for user in (self.case_manager, self.analyst, self.trainer):
            with self.subTest(user=user.username):
                self.assertEqual(self.new_entry(user).status_code, 403)
        self.assertFalse(Partner.objects.filter(name="Bay counselling").exists())

    def test_the_outsider_may_not_change_another_organizations_entry_it_could_list(self):
        self.login(self.outsider)
        response = self.client.post(
            f"/referrals/directory/{self.safe_house.pk}/availability/", {"beds_available": "9"}
        )
        self.assertEqual(response.status_code, 403)
        self.safe_house.refresh_from_db()
        self.assertEqual(self.safe_house.beds_available, 2)


class AvailabilityTests(DirectoryTestCase):
    def test_the_keeping_organizations_case_manager_updates_beds_and_waitlist(self):
        self.login(self.case_manager)
        page = self.client.get(f"/referrals/directory/{self.safe_house.pk}/")
        self.assertContains(page, "Update availability")
        response = self.client.post(
            f"/referrals/directory/{self.safe_house.pk}/availability/",
            {"beds_available": "0", "waitlist": "7"},
        )
        self.assertRedirects(response, f"/referrals/directory/{self.safe_house.pk}/")
        self.safe_house.refresh_from_db()
        self.assertEqual((self.safe_house.beds_available, self.safe_house.waitlist), (0, 7))
        self.assertIsNotNone(self.safe_house.availability_updated_at)

    def test_a_bad_number_is_told_at_its_field_and_nothing_is_saved(self):
        self.login(self.case_manager)
        response = self.client.post(
            f"/referrals/directory/{self.safe_house.pk}/availability/",
            {"beds_available": "-1", "waitlist": "3"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("beds_available", response.context["availability_form"].errors)
        self.safe_house.refresh_from_db()
        self.assertEqual((self.safe_house.beds_available, self.safe_house.waitlist), (2, 5))

    def test_others_get_no_availability_form(self):
        for user in (self.outsider, self.analyst):
            with self.subTest(user=user.username):
                self.login(user)
                page = self.client.get(f"/referrals/directory/{self.safe_house.pk}/")
                self.assertNotContains(page, "Update availability")
                response = self.client.post(
                    f"/referrals/directory/{self.safe_house.pk}/availability/",
                    {"beds_available": "9"},
                )
                self.assertEqual(response.status_code, 403)

    def test_an_entry_that_does_not_exist(self):
        self.login(self.supervisor)
        self.assertEqual(self.client.get("/referrals/directory/999999/").status_code, 404)
        self.assertEqual(self.client.get("/referrals/directory/999999/edit/").status_code, 404)
