"""The shared runtime of careerstream services."""
