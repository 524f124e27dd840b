"""careerstream mobility service: The internal talent marketplace: opportunities, competency-based matching, applications and fills."""
