"""Answer sets shared by many questions. 'Unknown' and 'declined to answer' are answers;
a blank means the question was not asked."""

from django.db import models
from django.utils.translation import gettext_lazy as _

UNKNOWN = "unknown"
DECLINED = "declined"
UNKNOWN_LABEL = _("Unknown")
DECLINED_LABEL = _("Declined to answer")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class NotAnswered(models.TextChoices):
    """Why a number is missing: a companion to nullable numeric answers."""

    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL
