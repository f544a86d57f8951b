"""What a referral packet carries, category by category: the minimum necessary.

The packet is a snapshot taken when the referral is sent, stored encrypted, and it is all a
receiving organization ever reads of the survivor. A field not listed here never leaves.
"""

from thrive.referrals.models import Category

IDENTITY_FIELDS = (
    "preferred_name",
    "legal_name",
    "date_of_birth",
    "gender_identity",
    "primary_language",
    "interpreter_needed",
)
CONTACT_FIELDS = (
    "phone",
    "email",
    "may_call",
    "may_text",
    "may_leave_voicemail",
    "may_email",
    "safe_times",
    "code_word",
    "safety_notes",
)
# Every key any packet may hold, by category; tests check packets against this.
PACKET_KEYS = {
    Category.IDENTITY: IDENTITY_FIELDS,
    Category.CONTACT: CONTACT_FIELDS,
    Category.CASE_SUMMARY: ("program_kind", "trafficking_type", "risk_level", "opened_on"),
    Category.SERVICES: ("services",),
    Category.ASSESSMENTS: ("assessment",),
}


def _text(value):
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)


def build_packet(case, categories):
    """{category: {field: value}} for the categories chosen, nothing else."""
    survivor = case.survivor
    packet = {}
    if Category.IDENTITY in categories:
        packet[Category.IDENTITY] = {f: _text(getattr(survivor, f)) for f in IDENTITY_FIELDS}
    if Category.CONTACT in categories:
        packet[Category.CONTACT] = {f: _text(getattr(survivor, f)) for f in CONTACT_FIELDS}
    if Category.CASE_SUMMARY in categories:
        packet[Category.CASE_SUMMARY] = {
            "program_kind": case.program.kind,
            "trafficking_type": case.trafficking_type,
            "risk_level": case.risk_level,
            "opened_on": case.opened_on.isoformat(),
        }
    if Category.SERVICES in categories:
        delivered = case.services.filter(status="delivered").select_related("service_type")
        packet[Category.SERVICES] = {
            "services": [
                {"type": s.service_type.code, "delivered_on": s.delivered_on.isoformat()}
                for s in delivered.order_by("delivered_on")
            ]
        }
    if Category.ASSESSMENTS in categories:
        latest = case.assessments.order_by("-assessed_on", "-pk").first()
        packet[Category.ASSESSMENTS] = {
            "assessment": {
                "assessed_on": latest.assessed_on.isoformat(),
                "levels": latest.levels(),
            }
            if latest
            else None
        }
    return packet
