import os
import stat

import pytest
from django.core.exceptions import FieldError

from thrive.lib import crypto
from thrive.lib.crypto import DecryptionError, Keyring, normalize_name, normalize_phone
from thrive.survivors.models import Survivor


def keyring_with(*kids, active=None):
    keys = {kid: os.urandom(32) for kid in kids}
    return Keyring(keys, active or kids[0], os.urandom(32))


def test_a_value_round_trips_and_names_its_key():
    ring = keyring_with("k1")
    token = ring.encrypt("María", "survivors.survivor.legal_name")
    assert token.startswith("v1:k1:")
    assert "María" not in token
    assert ring.decrypt(token, "survivors.survivor.legal_name") == "María".encode()


def test_the_same_value_encrypts_differently_each_time():
    ring = keyring_with("k1")
    assert ring.encrypt("Ana", "a") != ring.encrypt("Ana", "a")


def test_a_ciphertext_moved_to_another_field_does_not_decrypt():
    ring = keyring_with("k1")
    token = ring.encrypt("1999-04-17", "survivors.survivor.date_of_birth")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, "survivors.survivor.phone")


def test_a_tampered_ciphertext_does_not_decrypt():
    ring = keyring_with("k1")
    prefix, kid, body = ring.encrypt("Ana", "a").split(":")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with pytest.raises(DecryptionError):
        ring.decrypt(f"{prefix}:{kid}:{flipped}", "a")


def test_a_value_under_an_unknown_key_says_so():
    old, new = keyring_with("k1"), keyring_with("k2")
    with pytest.raises(DecryptionError, match="k1"):
        new.decrypt(old.encrypt("Ana", "a"), "a")


def test_blind_index_matches_equal_values_only_and_depends_on_the_key():
    ring = keyring_with("k1")
    assert ring.blind_index("ana ruiz", "name") == ring.blind_index("ana ruiz", "name")
    assert ring.blind_index("ana ruiz", "name") != ring.blind_index("ana ruis", "name")
    assert ring.blind_index("5550100", "name") != ring.blind_index("5550100", "phone")
    assert keyring_with("k1").blind_index("ana ruiz", "name") != ring.blind_index(
        "ana ruiz", "name"
    )


def test_names_normalize_for_case_accents_punctuation_and_spacing():
    assert normalize_name("  José  O'Neil-Pérez ") == normalize_name("jose oneil perez")
    assert normalize_name("MARÍA JOSÉ") == "maria jose"


def test_phones_normalize_to_digits_without_us_country_code():
    assert normalize_phone("+1 (415) 555-0142") == normalize_phone("415.555.0142")


def test_keys_come_from_the_environment(monkeypatch):
    k = crypto.new_key()
    monkeypatch.setenv("THRIVE_ENCRYPTION_KEYS", f"new:{k},old:{crypto.new_key()}")
    crypto.keyring.cache_clear()
    try:
        ring = crypto.keyring()
        assert ring.active_id == "new"
        assert set(ring.keys) == {"new", "old"}
    finally:
        monkeypatch.undo()
        crypto.keyring.cache_clear()


def test_the_key_file_is_written_with_mode_0600(tmp_path):
    path = tmp_path / "keys.json"
    crypto.write_key_file(path, crypto.new_key_file_data())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_filtering_on_an_encrypted_field_is_refused():
    with pytest.raises(FieldError, match="blind index"):
        list(Survivor.objects.filter(legal_name="Ana"))
    with pytest.raises(FieldError):
        list(Survivor.objects.filter(legal_name__icontains="Ana"))
    assert list(Survivor.objects.filter(legal_name="")) == []
