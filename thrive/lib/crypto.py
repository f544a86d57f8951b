"""Field-level encryption (AES-256-GCM) and blind indexes for exact look-up.

Keys never touch the database. They come from the environment
(THRIVE_ENCRYPTION_KEYS="kid:base64key,..." with the first one active, and
THRIVE_BLIND_INDEX_KEY) or from the key file that `manage.py init_keys` writes (mode 0600).

A stored value is ``v1:<key id>:<base64(nonce + ciphertext + tag)>``. The key id lets
`rotate_keys` re-encrypt old rows while both keys are loaded. Each value is bound to its
model field through the associated data, so a ciphertext copied into another column fails to
decrypt instead of showing up in the wrong place.
"""

import base64
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted with any loaded key."""


def _b64decode(text, what):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes, not {len(raw)}")
    return raw


def new_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def new_key_id():
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Keyring:
    keys: dict  # key id -> 32 raw bytes
    active_id: str
    index_key: bytes

    def __post_init__(self):
        if self.active_id not in self.keys:
            raise ImproperlyConfigured(f"active key {self.active_id!r} is not among the keys")
        object.__setattr__(self, "_ciphers", {kid: AESGCM(k) for kid, k in self.keys.items()})

    def encrypt(self, plaintext, aad):
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.active_id].encrypt(nonce, plaintext.encode(), aad.encode())
        body = base64.b64encode(nonce + sealed).decode()
        return f"{PREFIX}:{self.active_id}:{body}"

    def decrypt(self, token, aad):
        try:
            prefix, kid, body = token.split(":", 2)
        except ValueError:
            raise DecryptionError("not an encrypted value") from None
        if prefix != PREFIX or kid not in self._ciphers:
            raise DecryptionError(f"no key loaded for key id {kid!r}")
        raw = base64.b64decode(body)
        try:
            return self._ciphers[kid].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode())
        except InvalidTag:
            raise DecryptionError("value does not authenticate under its key") from None

    @staticmethod
    def key_id_of(token):
        return token.split(":", 2)[1] if token and token.startswith(PREFIX + ":") else None

    def blind_index(self, value, purpose):
        """A keyed hash of a normalized value: equal inputs match, nothing can be read back."""
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()[:32]


def _from_environment():
    spec = os.environ.get("THRIVE_ENCRYPTION_KEYS", "").strip()
    if not spec:
        return None
    keys, order = {}, []
    for item in spec.split(","):
        kid, _, value = item.strip().partition(":")
        if not kid or not value:
            raise ImproperlyConfigured("THRIVE_ENCRYPTION_KEYS must read 'kid:base64key,...'")
        keys[kid] = _b64decode(value, f"THRIVE_ENCRYPTION_KEYS[{kid}]")
        order.append(kid)
    index = os.environ.get("THRIVE_BLIND_INDEX_KEY", "").strip()
    if not index:
        raise ImproperlyConfigured("THRIVE_BLIND_INDEX_KEY must be set with THRIVE_ENCRYPTION_KEYS")
    return Keyring(keys, order[0], _b64decode(index, "THRIVE_BLIND_INDEX_KEY"))


def write_key_file(path, data):
    """Write atomically with mode 0600: a half-written key file would lose every record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def new_key_file_data():
    kid = new_key_id()
    return {"active": kid, "keys": {kid: new_key()}, "blind_index_key": new_key()}


def _from_key_file(path):
    if not path.exists():
        raise ImproperlyConfigured(
            f"No encryption keys: set THRIVE_ENCRYPTION_KEYS or create {path} "
            "with `python manage.py init_keys`."
        )
    data = json.loads(path.read_text())
    keys = {kid: _b64decode(v, f"key {kid} in {path}") for kid, v in data["keys"].items()}
    return Keyring(keys, data["active"], _b64decode(data["blind_index_key"], "blind_index_key"))


@functools.cache
def keyring():
    return _from_environment() or _from_key_file(settings.THRIVE_KEY_FILE)


_NOT_WORD = re.compile(r"[^\w]+")


def normalize_name(value):
    """Case, accents, punctuation and spacing do not matter: 'José  O'Neil' == 'jose oneil'."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def normalize_phone(value):
    """Digits only; a leading US country code is dropped so 1-555-... matches 555-..."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits
