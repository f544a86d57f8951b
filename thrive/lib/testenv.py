"""A pytest plugin loaded before Django starts (`-p thrive.lib.testenv` in pyproject):
fresh encryption keys for every run, never the developer's key file, and a test secret."""

import os
import secrets

from thrive.lib.crypto import new_key

os.environ["THRIVE_ENCRYPTION_KEYS"] = f"test1:{new_key()}"
os.environ["THRIVE_BLIND_INDEX_KEY"] = new_key()
os.environ.setdefault("THRIVE_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("THRIVE_REQUIRE_2FA", "1")
os.environ.setdefault("THRIVE_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("THRIVE_HTTPS", "0")  # the test client and live server speak plain HTTP
