"""Whole model rows read by a statement written once per process.

Django compiles a queryset's SQL on every evaluation: for the attempt with its round
and contest that is about 0.6 ms of CPU, six times what PostgreSQL spends running the
statement. The deadline rush's hottest reads (the attempt page, the submit, the
result) use a RowReader instead: its SELECT names every concrete column of each
model, is written from the models' metadata at its first use, and its rows become
model instances through Django's own from_db() and the same converters a queryset
applies (JSON decoded, SQLite's booleans and datetimes read back). Everything else
keeps the ORM.

A reader's FROM and WHERE are SQL with one placeholder per model, ``{a}`` for the
model given the alias ``a``, which becomes its quoted table name and alias. A reader
may also select one more value of its own (``extra``, SQL written for the
connection), returned after the instances as the database gives it.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from contest_portal.db.prepared import prepared_cursor

# (model, alias) or (model, alias, names of fields left unread, deferred as .defer()
# leaves them).
Part = tuple[type[models.Model], str] | tuple[type[models.Model], str, Sequence[str]]


class RowReader:
    def __init__(
        self,
        parts: Sequence[Part],
        *,
        source: str,
        where: str,
        order_by: str = "",
        lock: str = "",
        extra: Callable[[BaseDatabaseWrapper], str] | None = None,
    ) -> None:
        """parts: (model, alias) in the order the instances are returned; source:
        the FROM clause; order_by: the ORDER BY clause's terms, if any; lock: the
        model alias whose row is locked FOR UPDATE where the database can
        (PostgreSQL; SQLite writes one at a time anyway); extra: the SQL of one
        more selected value, given the connection, returned last."""
        self.parts = tuple(parts)
        self.source = source
        self.where = where
        self.order_by = order_by
        self.lock = lock
        self.extra = extra
        self._compiled: dict[str, tuple[str, list]] = {}

    def _compile(self, using: str) -> tuple[str, list]:
        connection = connections[using]
        quote = connection.ops.quote_name
        columns: list[str] = []
        plan: list = []
        tables: dict[str, str] = {}
        for model, alias, *unread in self.parts:
            skipped = set(unread[0]) if unread else set()
            fields = [f for f in model._meta.concrete_fields if f.name not in skipped]
            readers = []
            for field in fields:
                columns.append(f"{alias}.{quote(field.column)}")
                column = field.get_col(alias)
                converters = connection.ops.get_db_converters(
                    column
                ) + field.get_db_converters(connection)
                readers.append((converters, column))
            plan.append((model, [field.attname for field in fields], readers))
            tables[alias] = f"{quote(model._meta.db_table)} {alias}"
        if self.extra is not None:
            columns.append(self.extra(connection))
        sql = (
            f"SELECT {', '.join(columns)} FROM {self.source.format(**tables)} "
            f"WHERE {self.where}"
        )
        if self.order_by:
            sql += f" ORDER BY {self.order_by}"
        if self.lock and connection.features.has_select_for_update_of:
            sql += f" FOR UPDATE OF {self.lock}"
        return sql, plan

    def _build(self, using: str, plan: list, row: Sequence[Any]) -> tuple:
        connection = connections[using]
        instances = []
        start = 0
        for model, attnames, readers in plan:
            values = list(row[start : start + len(attnames)])
            start += len(attnames)
            for index, (converters, column) in enumerate(readers):
                for converter in converters:
                    values[index] = converter(values[index], column, connection)
            instances.append(model.from_db(using, attnames, values))
        if self.extra is not None:
            instances.append(row[start])
        return tuple(instances)

    def all(self, params: Sequence[Any], *, using: str = "default") -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, plan = compiled
        with prepared_cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [self._build(using, plan, row) for row in rows]

    def one(self, params: Sequence[Any], *, using: str = "default") -> tuple | None:
        rows = self.all(params, using=using)
        return rows[0] if rows else None


class RowWriter:
    """The writes of the same hot paths, written once per process: an UPDATE of
    named fields of one row by its primary key, and an INSERT of a whole row. Values
    are prepared by each field's get_db_prep_save(), as Django's own compilers
    prepare them (JSON adapted, datetimes in the database's form); fields that set
    themselves on save (auto_now) are not for this writer."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self._sql: dict[tuple, str] = {}

    def _quoted(self, using: str) -> tuple:
        quote = connections[using].ops.quote_name
        meta = self.model._meta
        return quote, quote(meta.db_table), quote(meta.pk.column)

    def update_statement(
        self, instance: models.Model, fields: Sequence[str], *, using: str = "default"
    ) -> tuple[str, list]:
        """The UPDATE of the instance's named fields: its SQL and parameters."""
        connection = connections[using]
        key = ("update", using, tuple(fields))
        targets = [self.model._meta.get_field(name) for name in fields]
        sql = self._sql.get(key)
        if sql is None:
            quote, table, pk = self._quoted(using)
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in targets)
            sql = self._sql[key] = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
        params = [
            field.get_db_prep_save(getattr(instance, field.attname), connection)
            for field in targets
        ]
        return sql, [*params, instance.pk]

    def update(
        self, instance: models.Model, fields: Sequence[str], *, using: str = "default"
    ) -> None:
        sql, params = self.update_statement(instance, fields, using=using)
        with prepared_cursor(connections[using]) as cursor:
            cursor.execute(sql, params)

    def insert_statement(
        self, instance: models.Model, *, using: str = "default"
    ) -> tuple[str, list]:
        """The INSERT of the whole row, returning its primary key: SQL, parameters."""
        connection = connections[using]
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        key = ("insert", using)
        sql = self._sql.get(key)
        if sql is None:
            quote, table, pk = self._quoted(using)
            columns = ", ".join(quote(field.column) for field in fields)
            marks = ", ".join(["%s"] * len(fields))
            sql = self._sql[key] = (
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"
            )
        params = [
            field.get_db_prep_save(getattr(instance, field.attname), connection)
            for field in fields
        ]
        return sql, params

    def insert_select_statement(
        self,
        instance: models.Model,
        *,
        computed: dict[str, str],
        rest: str,
        returning: Sequence[str],
        using: str = "default",
    ) -> tuple[str, list]:
        """An INSERT of the whole row from a SELECT that may give no row: each
        field named in ``computed`` takes that SQL expression instead of the
        instance's value; ``rest`` follows the SELECT's values (its FROM, WHERE
        and the INSERT's ON CONFLICT, with parameters of its own, which the caller
        appends). Returns the primary key and the ``returning`` fields' columns:
        SQL, the instance's parameters."""
        connection = connections[using]
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        key = ("insert-select", using, tuple(computed.items()), rest, tuple(returning))
        sql = self._sql.get(key)
        if sql is None:
            quote, table, pk = self._quoted(using)
            columns = ", ".join(quote(field.column) for field in fields)
            values = ", ".join(computed.get(field.name, "%s") for field in fields)
            returned = ", ".join(
                [pk, *(quote(self.model._meta.get_field(n).column) for n in returning)]
            )
            sql = self._sql[key] = (
                f"INSERT INTO {table} ({columns}) SELECT {values} {rest} "
                f"RETURNING {returned}"
            )
        params = [
            field.get_db_prep_save(getattr(instance, field.attname), connection)
            for field in fields
            if field.name not in computed
        ]
        return sql, params

    def insert(self, instance: models.Model, *, using: str = "default") -> None:
        """Insert the row and set the instance's primary key from the database."""
        sql, params = self.insert_statement(instance, using=using)
        with prepared_cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            _inserted(instance, cursor.fetchone()[0], using)


def _inserted(instance: models.Model, pk: Any, using: str) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using


def update_and_insert(
    updated: tuple[RowWriter, models.Model, Sequence[str]],
    inserted: tuple[RowWriter, models.Model],
    *,
    only_if: tuple[str, Sequence[Any]] | None = None,
    using: str = "default",
) -> bool:
    """One writer's update of an instance's fields and another's insert of a row,
    both or neither. ``only_if``: a condition the updated row must still meet (SQL
    on its columns, unqualified, and its parameters), else nothing is written.
    True if both were written.

    One statement where the database can (PostgreSQL: a data-modifying WITH whose
    insert takes the updated row's key, so it inserts nothing when the update
    matched nothing), else the two in one transaction."""
    (update_writer, instance, fields), (insert_writer, row) = updated, inserted
    connection = connections[using]
    update_sql, update_params = update_writer.update_statement(
        instance, fields, using=using
    )
    if only_if is not None:
        update_sql = f"{update_sql} AND ({only_if[0]})"
        update_params = [*update_params, *only_if[1]]
    if connection.vendor != "postgresql":
        atomic = transaction.atomic(using=using, savepoint=False)
        with atomic, connection.cursor() as cursor:
            cursor.execute(update_sql, update_params)
            if cursor.rowcount != 1:
                return False
            insert_writer.insert(row, using=using)
        return True
    insert_sql, insert_params = insert_writer.insert_select_statement(
        row, computed={}, rest="FROM updated", returning=[], using=using
    )
    pk = connection.ops.quote_name(update_writer.model._meta.pk.column)
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"WITH updated AS ({update_sql} RETURNING {pk}) {insert_sql}",
            [*update_params, *insert_params],
        )
        written = cursor.fetchone()
    if written is None:
        return False
    _inserted(row, written[0], using)
    return True
