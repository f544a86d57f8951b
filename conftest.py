"""Test-run set-up: fresh encryption keys for every run, never the developer's key file."""

import os

from thrive.lib.crypto import new_key


def pytest_configure(config):
    os.environ["THRIVE_ENCRYPTION_KEYS"] = f"test1:{new_key()}"
    os.environ["THRIVE_BLIND_INDEX_KEY"] = new_key()
    os.environ.setdefault("THRIVE_REQUIRE_2FA", "1")
