"""Fixtures every test module may use: a Chromium for browser tests (see thrive/browser.py)."""

import pytest

from thrive import browser


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium_fixture()


@pytest.fixture
def page(chromium):
    yield from browser.page_fixture(chromium)
