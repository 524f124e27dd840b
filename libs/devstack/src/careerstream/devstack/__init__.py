"""Local, Docker-free careerstream stack: Kafka, PostgreSQL and the services."""
