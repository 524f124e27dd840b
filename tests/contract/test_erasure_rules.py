"""Every service's erasure rules name tables and columns that exist, and cover its people data.

A rule naming a table that was renamed would fail every erasure at run time (and
be dead-lettered); this finds it at once, without Kafka or PostgreSQL.
"""

from __future__ import annotations

import importlib

import pytest

from careerstream.devstack.stack import SERVICES
from careerstream.servicekit.erasure import Forget, Pseudonymise, Scrub

PARTICIPANTS = [s for s in SERVICES if s != "privacy"]


@pytest.mark.parametrize("service", PARTICIPANTS)
def test_rules_name_real_tables_and_columns(service: str) -> None:
    consumers = importlib.import_module(f"careerstream.{service}.entrypoints.consumers")
    orm = importlib.import_module(f"careerstream.{service}.adapters.orm")
    tables = {t.name: t for t in orm.metadata.tables.values()}
    rules = consumers.ERASURE_RULES
    assert rules, f"{service} has no erasure rules"
    for rule in rules:
        assert rule.table in tables, f"{service}: no table {rule.table!r}"
        columns = set(tables[rule.table].columns.keys())
        if isinstance(rule, Pseudonymise) or (isinstance(rule, Forget) and rule.where is None):
            assert rule.column in columns, f"{service}.{rule.table}: no column {rule.column!r}"
        if isinstance(rule, Pseudonymise):
            assert set(rule.clear) <= columns
        assert isinstance(rule, Forget | Pseudonymise | Scrub)


@pytest.mark.parametrize("service", PARTICIPANTS)
def test_every_column_naming_a_person_has_a_rule(service: str) -> None:
    """A new table with an employee id (or a rater, manager, owner...) must say how it is erased."""
    consumers = importlib.import_module(f"careerstream.{service}.entrypoints.consumers")
    orm = importlib.import_module(f"careerstream.{service}.adapters.orm")
    covered = {
        (r.table, r.column) for r in consumers.ERASURE_RULES if isinstance(r, Forget | Pseudonymise)
    } | {(r.table, "*") for r in consumers.ERASURE_RULES if isinstance(r, Forget | Scrub)}
    person_columns = {
        "employee_id",
        "rater_id",
        "manager_id",
        "owner_id",
        "approved_by",
        "calibrated_by",
        "opened_by",
        "hiring_manager_id",
        "filled_by",
        "searched_by",
        "mover_id",
        "created_by",
        "published_by",
    }
    for table in orm.metadata.tables.values():
        if table.name in ("outbox", "inbox", "idempotency", "outbox_lane", "outbox_relay"):
            continue
        for column in [c.name for c in table.columns]:
            if column in person_columns:
                assert (table.name, column) in covered or (table.name, "*") in covered, (
                    f"{service}.{table.name}.{column} names a person but no erasure rule covers it"
                )
