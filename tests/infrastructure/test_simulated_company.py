"""The simulated company is exactly the size asked, every department staffed (no I/O)."""

from __future__ import annotations

import random

import pytest

from careerstream.devstack.simulation.company import DEPARTMENTS, build_company


@pytest.mark.parametrize("employees", [16, 30, 40, 60, 200, 300, 1001])
def test_a_company_of_n_is_n_people_with_every_department_staffed(employees: int) -> None:
    people = build_company(employees, random.Random(employees))
    assert len(people) == employees
    for dept, (_family, director, manager, ics) in DEPARTMENTS.items():
        staff = [p for p in people.values() if p.department == dept and p.manager_id]
        roles = {p.role_id for p in staff}
        assert director in roles, dept
        assert manager in roles, dept
        assert roles & set(ics), dept
