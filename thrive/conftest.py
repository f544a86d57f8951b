"""Fixtures every test module may use: a Chromium for browser tests (see thrive/browser.py)."""

import pytest
from django.conf import settings
from django.utils import translation

from thrive import browser


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium_fixture()


@pytest.fixture
def page(chromium):
    yield from browser.page_fixture(chromium)


@pytest.fixture(autouse=True)
def _in_english():
    """Each test starts in English: a Spanish page requested by an earlier test leaves Spanish
    active in the thread, which would otherwise leak into the next test's messages."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def load_reference_data():
    """The rows data migrations load (the service taxonomy, the outcome instrument, the
    screening checklist), loaded again where a transactional test's flush removed them.
    Every loader is idempotent."""
    from thrive.outcomes import instruments as outcome_files
    from thrive.outcomes.models import Domain, Instrument, Level
    from thrive.screening import instruments as screening_files
    from thrive.screening.models import ScreeningInstrument
    from thrive.services.models import ServiceCategory, ServiceType
    from thrive.services.taxonomy import load_taxonomy, read_taxonomy

    load_taxonomy(read_taxonomy(), ServiceCategory=ServiceCategory, ServiceType=ServiceType)
    outcome_files.load_instrument(
        outcome_files.read_instrument(),
        Instrument=Instrument,
        Domain=Domain,
        Level=Level,
        is_default=True,
    )
    screening_files.load_instrument(
        screening_files.read_instrument(), ScreeningInstrument=ScreeningInstrument
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test (browser tests, concurrency tests) ends by emptying every table,
    the reference data included; the next one would find no service types. Reload them."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        load_reference_data()
    yield
