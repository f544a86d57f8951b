"""Text written into a CSV or XLSX cell."""


def safe_text(value):
    """Spreadsheets run cells starting with = + - @ as formulas: neutralize them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
