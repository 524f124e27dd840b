"""careerstream plans service: Individual development plans, actions and check-ins, and managers' career conversations."""
