"""The survivor record the create benchmarks submit: a full intake, every encrypted field used.

Plain strings, exactly what the "New survivor" form posts, so the HTTP benchmark and the
in-process one (which runs them through SurvivorForm first, as the view does) create the
same record.
"""

import datetime

FIRST = ["María", "Ana", "Lucía", "Grace", "Joy", "Mei", "Olena", "Amara", "Rosa", "Linh"]
LAST = ["Hernández", "Okafor", "Nguyen", "Kowalski", "Mendoza", "Osei", "Castillo", "Reyes"]


def person_form_data(i):
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    born = datetime.date(1985, 1, 1) + datetime.timedelta(days=(i * 37) % 7000)
    return {
        "preferred_name": first,
        "legal_name": f"{first} {last} Bench{i:06d}",
        "aliases": f"{first[:3]}i\n{first} B.",
        "date_of_birth": born.isoformat(),
        # Yesterday: "today" here may already be tomorrow in the server's time zone.
        "intake_date": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        "phone": f"(555) {100 + i % 900:03d}-{i % 10000:04d}",
        "email": f"bench{i}@example.org",
        "address": f"{100 + i % 900} Cedar Street, Apt {i % 40}, Bayview",
        "may_call": "yes",
        "may_text": "yes",
        "may_leave_voicemail": "no",
        "may_email": "yes",
        "safe_times": "Weekdays 10am-2pm",
        "code_word": "sunflower",
        "safety_notes": "Call from a blocked number. Ask for Rosa if someone else answers.",
        "gender_identity": "woman",
        "race_ethnicity": ["hispanic_latino"],
        "primary_language": "es",
        "interpreter_needed": "yes",
        "country_of_birth": "MX",
        "citizenship": "trafficking_relief",
        "age_first_trafficked": "16",
        "referral_source": "hotline",
        "prior_services": "none",
        "education_level": "some_high_school",
        "income_at_intake": "none",
        "housing_at_intake": "emergency_shelter",
        "prior_arrests": "0",
        "foster_care_history": "no",
        "homelessness_history": "yes",
    }
