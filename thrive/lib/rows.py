"""Reading many rows for an aggregate."""

import datetime

from django.db import connections


def raw_rows(queryset):
    """The rows of a `values_list` queryset as the database driver gives them, without
    Django's per-value converters: a function call per value, which over hundreds of thousands
    of rows is most of the time. Dates may come as ISO text (SQLite) or dates (PostgreSQL),
    JSON as text or as a list: the caller takes both."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value):
    """A date column of a raw row: ISO text from SQLite, a date from PostgreSQL."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value
