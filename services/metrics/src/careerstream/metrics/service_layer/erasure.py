"""What erasing a person means in the metrics service (servicekit.erasure)."""

from careerstream.servicekit.erasure import Forget, Pseudonymise, Rule

ERASURE_RULES: list[Rule] = [
    Pseudonymise("employees", "manager_id"),
    Pseudonymise("employees", "employee_id", clear=("group_attributes",)),
    *(
        Pseudonymise(table, "employee_id")
        for table in (
            "applications",
            "goals",
            "passed_over",
            "survey_answers",
            "gap_observations",
            "gap_closings",
            "conversations",
            "plans",
            "readiness",
            "role_history",
            "learning_completions",
            "plan_actions",
        )
    ),
    Pseudonymise("conversations", "manager_id"),
    Pseudonymise("opportunities", "mover_id"),
    Pseudonymise("opportunities", "hiring_manager_id"),
    Pseudonymise("org_units", "head_id"),
    # Answers kept for a manager who asked, or about a manager's line: asked again if needed.
    Forget("view_results", "viewer_id"),
    Forget("view_results", "manager_id"),
]
"""Metrics keeps every fact (the company's figures for past periods must not change) under one
pseudonym per erasure, and drops the group attributes: nothing is left to tie the facts to the
person (the directory keeps no name or location). Fairness views count them as "not stated" from then on."""
