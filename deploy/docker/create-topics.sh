#!/usr/bin/env bash
# Creates the platform's topics (and their dead-letter topics) on the broker given as $1.
# Keep in step with contracts/src/careerstream/contracts/topics.py (a test checks it).
set -euo pipefail
bootstrap="$1"
topics=(
  careerstream.frameworks.framework.v1
  careerstream.frameworks.framework.v1.dlq
  careerstream.hris.employee.v1
  careerstream.hris.employee.v1.dlq
  careerstream.hris.orgunit.v1
  careerstream.hris.orgunit.v1.dlq
  careerstream.hris.survey.v1
  careerstream.hris.survey.v1.dlq
  careerstream.assessments.cycle.v1
  careerstream.assessments.cycle.v1.dlq
  careerstream.assessments.assessment.v1
  careerstream.assessments.assessment.v1.dlq
  careerstream.assessments.skillgap.v1
  careerstream.assessments.skillgap.v1.dlq
  careerstream.plans.plan.v1
  careerstream.plans.plan.v1.dlq
  careerstream.plans.conversation.v1
  careerstream.plans.conversation.v1.dlq
  careerstream.mobility.opportunity.v1
  careerstream.mobility.opportunity.v1.dlq
  careerstream.mobility.application.v1
  careerstream.mobility.application.v1.dlq
  careerstream.mobility.passedover.v1
  careerstream.mobility.passedover.v1.dlq
  careerstream.mobility.match.v1
  careerstream.mobility.match.v1.dlq
  careerstream.learning.record.v1
  careerstream.learning.record.v1.dlq
  careerstream.metrics.snapshot.v1
  careerstream.metrics.snapshot.v1.dlq
  careerstream.privacy.erasure.v1
  careerstream.privacy.erasure.v1.dlq
  careerstream.privacy.access.v1
  careerstream.privacy.access.v1.dlq
)
for t in "${topics[@]}"; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$t" --partitions 12 --replication-factor 1
done
