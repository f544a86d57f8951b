"""A referral around the loop between two organizations, in Chromium: agency A's case manager
records the survivor's consent naming agency C, drafts and sends a referral; agency C's case
manager acknowledges and accepts it and makes its own record from the packet, which holds
nothing the packet did not. Two-factor login on, as production. Screenshots go to
test-artifacts/."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Organization, Role
from thrive.browser import ARTIFACTS, assert_page_is_whole, expect, log_in_with_second_factor
from thrive.cases import actions as cases
from thrive.referrals import actions
from thrive.referrals.models import Consent, Partner, Referral
from thrive.services.models import ServiceType
from thrive.survivors.actions import survivor_create
from thrive.survivors.models import Survivor
from thrive.test import SURVIVOR_DATA, make_member

pytestmark = pytest.mark.browser
DAY = datetime.timedelta(days=1)


@pytest.fixture
def two_agencies(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    agency_a = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    agency_c = Organization.objects.create(
        name="Agency C", slug="agency-c", kind=Organization.Kind.LEGAL_AID
    )
    a_manager = make_member("casemanager", agency_a, Role.CASE_MANAGER)
    c_manager = make_member("c_manager", agency_c, Role.CASE_MANAGER)
    for user in (a_manager, c_manager):
        user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    survivor = survivor_create(agency_a, actor=a_manager, data=dict(SURVIVOR_DATA))
    program = cases.program_create(
        agency_a,
        actor=a_manager,
        data={"name": "Comprehensive case management", "kind": "case_management"},
    )
    case = cases.case_open(
        survivor,
        actor=a_manager,
        program=program,
        data={
            "case_manager": a_manager,
            "risk_level": "high",
            "opened_on": timezone.localdate() - 20 * DAY,
        },
    )
    clinic = actions.partner_save(
        Partner(organization=agency_c),
        actor=c_manager,
        organization=agency_c,
        data={"name": "Agency C immigration clinic", "counties": ["Alameda"]},
        service_types=[ServiceType.objects.get(code="immigration_relief")],
    )
    return {
        "a_manager": a_manager,
        "c_manager": c_manager,
        "agency_c": agency_c,
        "survivor": survivor,
        "case": case,
        "clinic": clinic,
    }


def test_a_consented_referral_is_sent_accepted_and_becomes_the_partners_own_record(
    page, live_server, two_agencies
):
    ARTIFACTS.mkdir(exist_ok=True)
    survivor, case = two_agencies["survivor"], two_agencies["case"]
    log_in_with_second_factor(page, live_server, two_agencies["a_manager"])

    # Agency A records the survivor's consent to share her identity with agency C.
    page.goto(f"{live_server.url}/referrals/survivors/{survivor.pk}/consents/new/")
    assert_page_is_whole(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a consent for Majo")
    page.get_by_label("May be shared with").select_option(label="Agency C immigration clinic")
    page.get_by_label("Referral for services").check()
    page.get_by_label("Identity (name, date of birth, gender, language)").check()
    page.get_by_label("Written and signed").check()
    page.get_by_role("button", name="Record the consent").click()
    expect(page).to_have_url(f"{live_server.url}/referrals/survivors/{survivor.pk}/consents/")
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    expect(page.locator("table.list tbody tr").first).to_contain_text("In force")

    # Then drafts a referral from the case: the partner first, then its services.
    page.goto(f"{live_server.url}/referrals/cases/{case.pk}/new/")
    page.get_by_label("Refer to").select_option(label="Agency C immigration clinic")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Immigration relief").check()
    page.get_by_label("Urgent (within days)").check()
    page.get_by_label("Under the survivor's consent").select_option(index=1)
    page.get_by_label("Identity (name, date of birth, gender, language)").check()
    page.get_by_label("Reason for the referral").fill("Asks for a T visa consultation.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Referral saved as a draft")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Referral sent to Agency C immigration clinic.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Sent")
    expect(page.get_by_test_id("packet")).to_contain_text(SURVIVOR_DATA["legal_name"])
    page.screenshot(path=ARTIFACTS / "referral-sent.png", full_page=True)
    page.get_by_role("button", name="Log out").click()
    # Let the logout's redirect land, or the next login's navigation would abort it.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("load")

    # Agency C finds it in its inbox and sees the packet, not agency A's case.
    log_in_with_second_factor(page, live_server, two_agencies["c_manager"])
    page.goto(f"{live_server.url}/referrals/inbox/")
    assert_page_is_whole(page)
    row = page.locator("table.list tbody tr").first
    expect(row).to_contain_text("Agency A")
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("Sent")
    page.screenshot(path=ARTIFACTS / "referral-inbox.png", full_page=True)
    row.get_by_role("link", name="Agency A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral from Agency A")
    body = page.locator("main").inner_text()
    for secret in ("phone", "email", "address", "code_word"):
        assert SURVIVOR_DATA[secret] not in body, secret
    assert case.label not in body
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_test_id("status")).to_have_text("Acknowledged")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("status")).to_have_text("Accepted")
    page.screenshot(path=ARTIFACTS / "referral-accepted.png", full_page=True)
    page.get_by_role("button", name="Create our record from this referral").click()
    expect(page.get_by_text("Our record was made from the referral's packet.")).to_be_visible()

    referral = Referral.objects.get()
    theirs = Survivor.objects.get(organization=two_agencies["agency_c"])
    expect(page).to_have_url(f"{live_server.url}/survivors/{theirs.pk}/")
    assert (referral.status, referral.recipient_survivor_id) == ("accepted", theirs.pk)
    assert referral.consent == Consent.objects.get()
    # Only the packet's identity fields crossed; nothing else of agency A's record did.
    assert (theirs.legal_name, theirs.preferred_name, theirs.date_of_birth) == (
        SURVIVOR_DATA["legal_name"],
        SURVIVOR_DATA["preferred_name"],
        SURVIVOR_DATA["date_of_birth"],
    )
    assert (theirs.phone, theirs.email, theirs.address, theirs.code_word) == ("", "", "", "")
    assert (theirs.aliases, theirs.country_of_birth, theirs.race_ethnicity) == ("", "", [])
    assert theirs.age_first_trafficked is None
    assert page.log.problems == []
