"""careerstream frameworks service: Job families, tracks, role levels, competencies and career paths; publishes framework versions."""
