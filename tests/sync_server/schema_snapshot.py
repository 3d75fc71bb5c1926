"""A database's whole schema and rows, as plain data two databases can be compared by (issue 19).

A fresh database gets its schema from the tables' code in one go (sync_server/migrations/fresh.py) instead of
replaying every revision; that is only right if the result is exactly what the revisions make. This reads
what the database itself says, from its catalogue, not from SQLAlchemy's reflection (which leaves out CHECK
constraints on SQLite and partial indexes' conditions): every table's columns in order with their types,
nullability and server defaults; primary and foreign keys with their actions; unique and CHECK constraints;
every index with its columns, uniqueness and condition; on PostgreSQL the extensions; and every row
(the counters and the version stamp the revisions insert).

Constraint and index names are compared too: a later revision drops or alters them by name.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text


def snapshot(connection: Connection) -> dict[str, Any]:
    """Everything schema-shaped in the database, and its rows, keyed for a readable diff."""
    schema = _sqlite(connection) if connection.dialect.name == "sqlite" else _postgres(connection)
    tables = sorted(name for name in schema if name.startswith("table "))
    for key in tables:
        name = key.removeprefix("table ")
        rows = connection.exec_driver_sql(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608 (catalogue names)
        schema[f"rows {name}"] = sorted(repr(tuple(row)) for row in rows)
    return schema


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Each key whose value differs, with both values (empty: the same)."""
    return [f"{key}:\n  {a.get(key)!r}\n  {b.get(key)!r}" for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def _normal(sql: str) -> str:
    """SQL text compared without its layout: quotes around names and runs of whitespace do not count."""
    return re.sub(r"\s+", " ", sql.replace('"', "")).replace("( ", "(").replace(" )", ")").strip()


def _checks(create_sql: str) -> list[str]:
    """The CHECK clauses of a CREATE TABLE statement (with their names), parentheses balanced."""
    found = []
    for match in re.finditer(r"(CONSTRAINT\s+\S+\s+)?CHECK\s*\(", create_sql, re.IGNORECASE):
        depth, end = 1, match.end()
        while depth and end < len(create_sql):
            depth += {"(": 1, ")": -1}.get(create_sql[end], 0)
            end += 1
        found.append(_normal(create_sql[match.start():end]))
    return sorted(found)


def _sqlite(connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = connection.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                      "WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    for kind, name, table, sql in rows:
        if kind == "table":
            out[f"table {name}"] = [tuple(r[1:]) for r in connection.exec_driver_sql(f"PRAGMA table_xinfo('{name}')")]
            out[f"foreign keys {name}"] = sorted(tuple(r[2:]) for r in
                                                 connection.exec_driver_sql(f"PRAGMA foreign_key_list('{name}')"))
            out[f"checks {name}"] = _checks(sql)
            out[f"indexes {name}"] = _sqlite_indexes(connection, name)
        elif kind == "index":
            out[f"index {name}"] = (table, _normal(sql or ""))
        else:
            out[f"{kind} {name}"] = _normal(sql or "")
    return out


def _sqlite_indexes(connection: Connection, table: str) -> list[tuple[Any, ...]]:
    """Every index of the table, the automatic ones (primary key, UNIQUE) by their columns."""
    found = []
    for _seq, name, unique, origin, partial in connection.exec_driver_sql(f"PRAGMA index_list('{table}')"):
        columns = tuple(r[2] for r in connection.exec_driver_sql(f"PRAGMA index_info('{name}')"))
        found.append((name if origin == "c" else f"({origin})", unique, origin, partial, columns))
    return sorted(found)


def _postgres(connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    columns = connection.execute(text(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum")).fetchall()
    for table, *column in columns:
        out.setdefault(f"table {table}", []).append(tuple(column))
    constraints = connection.execute(text(
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()")).fetchall()
    for table, name, kind, definition in constraints:
        out.setdefault(f"constraints {table}", []).append((name, kind, definition))
    for table, name, definition in connection.execute(text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")):
        out[f"index {name}"] = (table, definition)
    for key in [k for k in out if k.startswith("constraints ")]:
        out[key] = sorted(out[key])
    out["extensions"] = sorted(connection.execute(text("SELECT extname FROM pg_extension")).scalars())
    out["sequences"] = sorted(connection.execute(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).scalars())
    out["views"] = sorted(connection.execute(text(
        "SELECT viewname FROM pg_views WHERE schemaname = current_schema()")).scalars())
    return out
