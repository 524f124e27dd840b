"""careerstream event contracts."""
