-- One login role and one database per service; no other role may connect to it.
-- Passwords are for local use only; production sets its own.
CREATE ROLE cs_frameworks LOGIN PASSWORD 'frameworks-local-only';
CREATE DATABASE careerstream_frameworks OWNER cs_frameworks;
REVOKE ALL ON DATABASE careerstream_frameworks FROM PUBLIC;
CREATE ROLE cs_assessments LOGIN PASSWORD 'assessments-local-only';
CREATE DATABASE careerstream_assessments OWNER cs_assessments;
REVOKE ALL ON DATABASE careerstream_assessments FROM PUBLIC;
CREATE ROLE cs_plans LOGIN PASSWORD 'plans-local-only';
CREATE DATABASE careerstream_plans OWNER cs_plans;
REVOKE ALL ON DATABASE careerstream_plans FROM PUBLIC;
CREATE ROLE cs_mobility LOGIN PASSWORD 'mobility-local-only';
CREATE DATABASE careerstream_mobility OWNER cs_mobility;
REVOKE ALL ON DATABASE careerstream_mobility FROM PUBLIC;
CREATE ROLE cs_metrics LOGIN PASSWORD 'metrics-local-only';
CREATE DATABASE careerstream_metrics OWNER cs_metrics;
REVOKE ALL ON DATABASE careerstream_metrics FROM PUBLIC;
CREATE ROLE cs_hris LOGIN PASSWORD 'hris-local-only';
CREATE DATABASE careerstream_hris OWNER cs_hris;
REVOKE ALL ON DATABASE careerstream_hris FROM PUBLIC;
CREATE ROLE cs_privacy LOGIN PASSWORD 'privacy-local-only';
CREATE DATABASE careerstream_privacy OWNER cs_privacy;
REVOKE ALL ON DATABASE careerstream_privacy FROM PUBLIC;
CREATE ROLE cs_notifications LOGIN PASSWORD 'notifications-local-only';
CREATE DATABASE careerstream_notifications OWNER cs_notifications;
REVOKE ALL ON DATABASE careerstream_notifications FROM PUBLIC;
