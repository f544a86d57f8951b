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
