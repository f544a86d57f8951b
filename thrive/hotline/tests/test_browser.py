"""A 3 a.m. crisis call in Chromium: an advocate logs it, creates the survivor from it and
dispatches the youth responder on call; the responder records first contact, safe placement
and the food, clothing and shelter given that night.

Runs against Django's live server with two-factor login on (see thrive/browser.py).
Screenshots go to test-artifacts/. (The screening step is added with the screening app.)
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive import browser
from thrive.accounts.models import Organization, Role
from thrive.browser import ARTIFACTS, assert_page_is_whole, expect, log_in_with_second_factor
from thrive.hotline.models import Contact, EmergencyResponse, OnCallShift
from thrive.screening.models import Screening, ScreeningInstrument
from thrive.services.models import Service
from thrive.test import make_member

pytestmark = pytest.mark.browser
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def hotline(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    agency = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    advocate = make_member("advocate", agency, Role.HOTLINE_ADVOCATE)
    responder = make_member("youthercm", agency, Role.CASE_MANAGER)
    make_member("adultercm", agency, Role.CASE_MANAGER)
    for user in (advocate, responder):
        user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    now = timezone.now()
    OnCallShift.objects.create(
        organization=agency,
        responder=responder,
        queue=OnCallShift.Queue.YOUTH,
        starts_at=now - 2 * HOUR,
        ends_at=now + 6 * HOUR,
    )
    return {"advocate": advocate, "responder": responder}


def test_an_advocate_logs_a_crisis_call_and_dispatches_the_youth_responder_who_records_needs(
    page, chromium, live_server, hotline
):
    ARTIFACTS.mkdir(exist_ok=True)
    url = live_server.url
    log_in_with_second_factor(page, live_server, hotline["advocate"])

    # The call comes in: one screen, the time already filled, a draft saved while typing.
    page.goto(f"{url}/hotline/contacts/new/")
    assert_page_is_whole(page)
    expect(page.get_by_label("Received at")).to_be_focused()
    page.get_by_label("Phone call").check()
    page.get_by_label("Potential victim").check()
    page.get_by_label("Crisis").check()
    page.get_by_label("Immediate danger").check()
    page.get_by_label("Debt bondage").check()
    page.get_by_label("A minor is involved").check()
    with page.expect_response(lambda r: "/hotline/contacts/autosave/" in r.url):
        page.get_by_label("Summary").fill("Seventeen, working at a nail salon, cannot leave.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    assert Contact.objects.get().status == "draft"
    page.screenshot(path=ARTIFACTS / "hotline-entry.png", full_page=True)
    page.get_by_role("button", name="Log contact").click()

    contact = Contact.objects.get()
    expect(page).to_have_url(f"{url}/hotline/contacts/{contact.pk}/")
    assert contact.status == "logged"
    assert contact.indicators == ["DebtBondage", "minor_involved"]
    expect(page.get_by_text("A minor is involved")).to_be_visible()

    # Who is this? A new survivor, 17: the youth queue.
    page.get_by_role("link", name="Create the survivor from this contact").click()
    page.get_by_label("Preferred name").fill("Dani")
    page.get_by_label("Age:", exact=True).fill("17")
    page.get_by_role("button", name="Create survivor").click()
    expect(page).to_have_url(f"{url}/hotline/contacts/{contact.pk}/")
    expect(page.locator("main")).to_contain_text("Dani")

    # Screen, during the call, with the indicator checklist.
    page.get_by_role("link", name="Screen").click()
    tool = ScreeningInstrument.objects.get(code="thrive-indicators", version=1)
    for item in tool.items:
        answer = "yes" if item["id"] in ("owes_debt", "minor_commercial_sex") else "no"
        page.locator(f"input[name='answer_{item['id']}'][value='{answer}']").check()
    page.get_by_role("button", name="Record screening").click()
    expect(page).to_have_url(f"{url}/hotline/contacts/{contact.pk}/")
    screening = Screening.objects.get()
    assert (screening.contact, screening.result) == (contact, "clear_concern")

    page.get_by_role("link", name="Dispatch a response").click()
    expect(page.locator("main")).to_contain_text("Youth (under 24)")
    page.get_by_label(re.compile(r"youthercm \(on call until")).check()
    page.screenshot(path=ARTIFACTS / "hotline-dispatch.png", full_page=True)
    page.get_by_role("button", name="Dispatch").click()
    response = EmergencyResponse.objects.get()
    expect(page).to_have_url(f"{url}/hotline/responses/{response.pk}/")
    assert (response.queue, response.responder) == ("youth", hotline["responder"])

    # The responder, on their own phone.
    responder_pages = browser.page_fixture(chromium)
    responder_page = next(responder_pages)
    try:
        log_in_with_second_factor(responder_page, live_server, hotline["responder"])
        responder_page.goto(f"{url}/hotline/responses/{response.pk}/")
        responder_page.get_by_role("button", name="With the survivor now").click()
        expect(responder_page.locator("main")).to_contain_text("With the survivor")
        responder_page.get_by_role("button", name="Safe now").click()
        expect(responder_page.get_by_role("heading", level=2).first).to_have_text("Safe placement")
        responder_page.get_by_label("Food (items)").fill("3")
        responder_page.get_by_label("Clothing and toiletries (items)").fill("2")
        responder_page.get_by_label("Emergency shelter (nights)").fill("1")
        responder_page.get_by_role("button", name="Record needs met").click()
        expect(responder_page.locator("#services")).to_contain_text("Emergency shelter")
        responder_page.screenshot(path=ARTIFACTS / "hotline-response.png", full_page=True)
        assert responder_page.log.problems == []
    finally:
        next(responder_pages, None)

    response.refresh_from_db()
    assert response.status == "safe"
    assert response.dispatched_at <= response.first_contact_at <= response.safe_at
    services = Service.objects.filter(case=response.case)
    assert response.case.program.kind == "emergency_response"
    assert sorted((s.service_type.code, s.quantity) for s in services) == [
        ("clothing_toiletries", Decimal(2)),
        ("emergency_shelter", Decimal(1)),
        ("food", Decimal(3)),
    ]

    page.goto(f"{url}/hotline/board/")
    expect(page.locator("table.responses")).to_contain_text("youthercm")
    expect(page.locator("table.contacts")).to_contain_text(contact.label)
    page.screenshot(path=ARTIFACTS / "hotline-board.png", full_page=True)
    assert page.log.problems == []
