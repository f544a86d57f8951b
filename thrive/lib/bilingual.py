"""Names of reference data (domains, service types) in English and Spanish.

Instruments and taxonomies are data, loaded from files, so their words cannot go through
gettext; each row carries both languages and shows the one the reader chose."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "en").startswith("es") and self.name_es:
            return self.name_es
        return self.name
