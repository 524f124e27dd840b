"""careerstream metrics service: Programme metrics: mobility, development, skills, engagement, retention and fairness."""
