"""careerstream assessments service: Self, manager and peer assessments, calibrated skill profiles, skills gaps and skills matrices."""
