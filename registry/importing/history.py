"""The history of an import: every row it creates or changes gets its django-simple-history
row (type "+" or "~", reason "import", the importing user), copied inside the database by
one INSERT ... SELECT over the rows, rather than built as a Python object for each history
row as simple_history's `bulk_create_with_history` does.

Each of those history rows gets the many-to-many sets the record holds after the import
(which categories a flow carries, which parties an agreement binds), copied the same way
into simple_history's tables of the sets, so the history shows a set before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def history_copy(model: type[models.Model], pks: list[int], kind: str, now: Any, user: Any) -> None:
    """A history row of type `kind` ('+' or '~') for each row in `pks`, copied by the
    database."""
    history = model.history.model  # type: ignore[attr-defined]  # simple_history's manager
    kept = {f.column for f in history._meta.concrete_fields}
    # A concrete field is one with a column (Field.concrete is `column is not None`).
    columns = [c for f in model._meta.concrete_fields if (c := f.column) is not None and c in kept]
    pk_column = model._meta.pk.column
    assert pk_column is not None  # the primary key is a concrete field
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 900):
            batch = pks[start : start + 900]
            sql = (
                f"INSERT INTO {quote(history._meta.db_table)} ({names}, history_date, "
                "history_change_reason, history_type, history_user_id) "
                f"SELECT {names}, %s, 'import', %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(pk_column)} IN ({', '.join(['%s'] * len(batch))})"
            )
            cursor.execute(sql, [stamp, kind, user_id, *batch])
            for field in getattr(history, "_history_m2m_fields", ()):
                cursor.execute(*_sets_copy_sql(history, field, pk_column, stamp, kind, batch))


def _sets_copy_sql(
    history: type[models.Model],
    field: Any,
    pk_column: str,
    stamp: Any,
    kind: str,
    batch: list[int],
) -> tuple[str, list[Any]]:
    """INSERT ... SELECT of the set `field` of each record in `batch` (primary key column
    `pk_column`) into the history rows of that set, each row tied to the record's history
    row just copied (`stamp`, `kind`)."""
    rows = getattr(history, field.name).model  # simple_history's model of the set's history
    through = field.remote_field.through
    quote = connection.ops.quote_name
    columns = [f.column for f in through._meta.concrete_fields]
    owner = through._meta.get_field(field.m2m_field_name()).column
    sql = (
        f"INSERT INTO {quote(rows._meta.db_table)} "
        f"({quote(rows._meta.get_field('history').column)}, "
        f"{', '.join(quote(c) for c in columns)}) "
        f"SELECT h.{quote(history._meta.pk.attname)}, "
        f"{', '.join('t.' + quote(c) for c in columns)} "
        f"FROM {quote(through._meta.db_table)} t "
        f"JOIN {quote(history._meta.db_table)} h ON h.{quote(pk_column)} = t.{quote(owner)} "
        "WHERE h.history_date = %s AND h.history_type = %s "
        f"AND h.{quote(pk_column)} IN ({', '.join(['%s'] * len(batch))})"
    )
    return sql, [stamp, kind, *batch]
