"""Small instrument files for tests, built as dicts and written as JSON text."""

import copy
import json

YES_NO = [
    {"value": "yes", "label": {"en": "Yes", "es": "Sí"}, "score": 1, "flag": True},
    {"value": "no", "label": {"en": "No", "es": "No"}, "score": 0},
]


def item(item_id, en=None, es=None, **extra):
    return {
        "id": item_id,
        "text": {"en": en or f"Question {item_id}?", "es": es or f"¿Pregunta {item_id}?"},
        **extra,
    }


def instrument_data(**changes):
    """A two-item yes/no instrument scored by sum: 0 no concern, 1 possible, 2 clear."""
    data = {
        "code": "test-tool",
        "version": 1,
        "name": {"en": "Test tool", "es": "Herramienta de prueba"},
        "licence": "Public domain",
        "citation": "Written for the tests",
        "validated": True,
        "options": copy.deepcopy(YES_NO),
        "sections": [
            {
                "id": "only",
                "title": {"en": "Questions", "es": "Preguntas"},
                "items": [item("first"), item("second")],
            }
        ],
        "scoring": {"rule": "sum"},
        "cutoffs": [
            {"min": 0, "max": 0, "result": "no_concern"},
            {"min": 1, "max": 1, "result": "possible_concern"},
            {"min": 2, "max": None, "result": "clear_concern"},
        ],
    }
    data.update(changes)
    return data


def instrument_text(**changes):
    return json.dumps(instrument_data(**changes), ensure_ascii=False)
