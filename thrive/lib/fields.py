"""Model fields that store their values encrypted (see thrive.lib.crypto).

The database column holds only ciphertext. Python code sees plaintext. Filtering on an
encrypted column is refused, apart from isnull and exact-empty: anything else would compare
ciphertexts and silently find nothing. Exact look-up goes through a blind index instead.
"""

import datetime

from django import forms
from django.core import validators
from django.core.exceptions import FieldError
from django.db import models

from thrive.lib.crypto import keyring


class EmptyOnlyExact(models.lookups.Exact):
    """`field=""` works (blank is stored as blank); any other value could never match."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.target.name} is encrypted: use its blind index to search")
        return self.rhs


class EncryptedMixin:
    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.aad = f"{cls._meta.label_lower}.{name}"

    def get_internal_type(self):
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"{self.name} is encrypted: use its blind index to search")

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return self.to_python(value)
        return self.to_python(keyring().decrypt(value, self.aad).decode())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().encrypt(self.to_plaintext(value), self.aad)

    def to_plaintext(self, value):
        return str(value)


class EncryptedTextField(EncryptedMixin, models.TextField):
    """Free text or a short string (pass max_length; it is enforced in forms and full_clean)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            # TextField, unlike CharField, leaves max_length to its form field alone.
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs):
        if self.max_length and "widget" not in kwargs:
            kwargs["widget"] = forms.TextInput
        return super().formfield(**kwargs)


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_python(self, value):
        if value == "":
            return None
        return super().to_python(value)

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return keyring().encrypt(value.isoformat(), self.aad)

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if prepared else self.get_prep_value(value)

    def to_plaintext(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
