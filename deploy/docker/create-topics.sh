#!/usr/bin/env bash
# Creates the platform's topics (and their dead-letter topics) on the broker given as $1.
# Keep in step with contracts/src/careerstream/contracts/topics.py (a test checks it):
# each line is topic:cleanup.policy:retention.ms, as the topic registry's RETENTION says.
set -euo pipefail
bootstrap="$1"
topics=(
  careerstream.frameworks.framework.v1:delete:-1
  careerstream.frameworks.framework.v1.dlq:delete:2592000000
  careerstream.frameworks.skill.v1:compact:-1
  careerstream.frameworks.skill.v1.dlq:delete:2592000000
  careerstream.hris.employee.v1:delete:-1
  careerstream.hris.employee.v1.dlq:delete:2592000000
  careerstream.hris.orgunit.v1:delete:-1
  careerstream.hris.orgunit.v1.dlq:delete:2592000000
  careerstream.hris.survey.v1:delete:-1
  careerstream.hris.survey.v1.dlq:delete:2592000000
  careerstream.hris.groups.v1:delete:-1
  careerstream.hris.groups.v1.dlq:delete:2592000000
  careerstream.assessments.cycle.v1:delete:-1
  careerstream.assessments.cycle.v1.dlq:delete:2592000000
  careerstream.assessments.assessment.v1:delete:-1
  careerstream.assessments.assessment.v1.dlq:delete:2592000000
  careerstream.assessments.skillgap.v1:delete:-1
  careerstream.assessments.skillgap.v1.dlq:delete:2592000000
  careerstream.plans.plan.v1:delete:-1
  careerstream.plans.plan.v1.dlq:delete:2592000000
  careerstream.plans.conversation.v1:delete:-1
  careerstream.plans.conversation.v1.dlq:delete:2592000000
  careerstream.mobility.opportunity.v1:delete:-1
  careerstream.mobility.opportunity.v1.dlq:delete:2592000000
  careerstream.mobility.application.v1:delete:-1
  careerstream.mobility.application.v1.dlq:delete:2592000000
  careerstream.mobility.passedover.v1:delete:-1
  careerstream.mobility.passedover.v1.dlq:delete:2592000000
  careerstream.mobility.match.v1:delete:2592000000
  careerstream.mobility.match.v1.dlq:delete:2592000000
  careerstream.mobility.bench.v1:delete:-1
  careerstream.mobility.bench.v1.dlq:delete:2592000000
  careerstream.learning.record.v1:delete:-1
  careerstream.learning.record.v1.dlq:delete:2592000000
  careerstream.metrics.snapshot.v1:compact:-1
  careerstream.metrics.snapshot.v1.dlq:delete:2592000000
  careerstream.privacy.erasure.v1:delete:-1
  careerstream.privacy.erasure.v1.dlq:delete:2592000000
  careerstream.privacy.access.v1:delete:7776000000
  careerstream.privacy.access.v1.dlq:delete:2592000000
)
for entry in "${topics[@]}"; do
  IFS=: read -r t policy retention <<<"$entry"
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$t" --partitions 12 --replication-factor 1 \
    --config "cleanup.policy=$policy" --config "retention.ms=$retention"
  # An existing topic is brought to the registry's retention too.
  /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" --alter --entity-type topics \
    --entity-name "$t" --add-config "cleanup.policy=$policy,retention.ms=$retention"
done
