"""One valid example payload of every event type: documentation of the contract, and test data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from careerstream.contracts.base import EventPayload
from careerstream.contracts.events import assessments as a
from careerstream.contracts.events import frameworks as f
from careerstream.contracts.events import hris as h
from careerstream.contracts.events import learning as lr
from careerstream.contracts.events import metrics
from careerstream.contracts.events import mobility as m
from careerstream.contracts.events import plans as p
from careerstream.contracts.events import privacy as pv

T = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
D = date(2026, 11, 2)

FRAMEWORK = f.FrameworkPublished(
    framework_id="acme-careers",
    version=3,
    name="Acme career framework",
    published_at=T,
    scale=f.ProficiencyScale(
        steps=[
            f.ScaleStep(level=1, label="Foundational"),
            f.ScaleStep(level=2, label="Developing"),
            f.ScaleStep(level=3, label="Proficient"),
            f.ScaleStep(level=4, label="Advanced"),
            f.ScaleStep(level=5, label="Expert"),
        ]
    ),
    families=[
        f.JobFamily(
            id="engineering",
            name="Engineering",
            tracks=[
                f.Track(id="ic", name="Individual contributor", kind=f.TrackKind.IC),
                f.Track(id="mgmt", name="Management", kind=f.TrackKind.MANAGEMENT),
            ],
            levels=[
                f.Level(id="se", name="Software Engineer", rank=1, track_ids=["ic", "mgmt"]),
                f.Level(id="senior", name="Senior Engineer", rank=2, track_ids=["ic"]),
            ],
        )
    ],
    competencies=[
        f.Competency(
            id="strategic-thinking",
            name="Strategic thinking",
            category=f.CompetencyCategory.BEHAVIOURAL,
            descriptors=[
                f.LevelDescriptor(level=2, description="Understands team goals"),
                f.LevelDescriptor(level=3, description="Connects work to department objectives"),
            ],
        )
    ],
    roles=[
        f.Role(
            id="engineering.se",
            family_id="engineering",
            level_id="se",
            title="Software Engineer",
            requirements=[f.RoleRequirement(competency_id="strategic-thinking", level=2)],
        ),
        f.Role(
            id="engineering.senior",
            family_id="engineering",
            level_id="senior",
            title="Senior Engineer",
            requirements=[f.RoleRequirement(competency_id="strategic-thinking", level=3)],
        ),
    ],
)

EXAMPLES: dict[str, EventPayload] = {
    e.event_type: e
    for e in [
        FRAMEWORK,
        f.FrameworkRetired(
            framework_id="acme-careers", version=2, retired_at=T, reason="replaced by v3"
        ),
        f.SkillChanged(
            skill_uri="http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
            kind="skill",
            skill_type="skill",
            reuse_level="sector-specific",
            status="released",
            labels={
                "en": f.SkillLabels(
                    preferred="develop software prototype",
                    alternative=["create software prototype"],
                    description="Create a first incomplete or preliminary version of a piece "
                    "of software to simulate some specific aspects of the final product.",
                )
            },
            broader=["http://data.europa.eu/esco/skill/21b2e5e1-7c1c-4b45-b1b4-4b6c7e3bb2f1"],
            library_version="1.2.0",
            changed_at=T,
        ),
        f.SkillLibraryImported(
            library_id="esco",
            version="1.2.0",
            languages=["de", "en"],
            import_number=2,
            added=12,
            changed=340,
            withdrawn=3,
            unchanged=13584,
            imported_at=T,
        ),
        h.EmployeeHired(
            employee_id="E100",
            effective_date=D,
            recorded_at=T,
            display_name="Ada",
            details=h.EmploymentDetails(
                role_id="engineering.se",
                manager_id="E001",
                department_id="D-ENG",
                location="Berlin",
                group_attributes={"gender": "female"},
            ),
        ),
        h.EmployeeChanged(
            employee_id="E100",
            effective_date=D,
            recorded_at=T,
            changed_fields=["manager_id"],
            details=h.EmploymentDetails(manager_id="E002"),
            reason=h.ChangeReason.MANAGER_CHANGE,
        ),
        h.EmployeeTerminated(employee_id="E100", effective_date=D, recorded_at=T, voluntary=True),
        h.GroupsRecorded(
            employee_id="E100",
            effective_date=D,
            recorded_at=T,
            group_attributes={"gender": "f", "age_band": "30-39"},
        ),
        h.OrgUnitChanged(
            orgunit_id="D-ENG", name="Engineering", head_id="E001", effective_date=D, recorded_at=T
        ),
        h.SurveyResponded(
            response_id="R1",
            survey_id="pulse-2026-11",
            employee_id="E100",
            responded_at=T,
            answers=[
                h.SurveyAnswer(question_id="q1", topic=h.SurveyTopic.GROWTH, score=4, scale_max=5)
            ],
        ),
        a.CycleOpened(
            cycle_id="C1",
            name="2026 H2",
            population=a.Population(kind=a.PopulationKind.ALL),
            opened_at=T,
            deadline=T,
        ),
        a.CycleClosed(cycle_id="C1", closed_at=T),
        a.AssessmentOpened(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E100",
            role_id="engineering.se",
            deadline=T,
            opened_at=T,
        ),
        a.PeersNominated(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E100",
            peer_ids=["E101", "E102"],
            nominated_by="E100",
            nominated_at=T,
        ),
        a.AssessmentSubmitted(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E100",
            rater_id="E100",
            rater_kind=a.RaterKind.SELF,
            submitted_at=T,
            ratings=[a.Rating(competency_id="strategic-thinking", level=2)],
        ),
        a.AssessmentCompleted(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E100",
            role_id="engineering.se",
            framework_id="acme-careers",
            framework_version=3,
            completed_at=T,
            levels=[a.CalibratedLevel(competency_id="strategic-thinking", level=2)],
            raters=[a.Rater(rater_id="E001", kind=a.RaterKind.MANAGER)],
        ),
        a.SkillgapIdentified(
            employee_id="E100",
            assessment_id="A1",
            reference=a.GapReference.TARGET,
            role_id="engineering.senior",
            readiness=0.67,
            ready=False,
            identified_at=T,
            gaps=[
                a.CompetencyGap(competency_id="strategic-thinking", required=3, current=2, gap=1)
            ],
        ),
        p.PlanCreated(
            plan_id="P1",
            employee_id="E100",
            period_start=D,
            period_end=D,
            status=p.PlanStatus.DRAFT,
            created_at=T,
        ),
        p.PlanApproved(plan_id="P1", employee_id="E100", approved_by="E7", approved_at=T),
        p.GoalAdded(
            plan_id="P1",
            goal_id="G1",
            employee_id="E100",
            competency_id="strategic-thinking",
            from_level=2,
            to_level=3,
            target_date=D,
            added_at=T,
            actions=[
                p.Action(
                    action_id="X1",
                    kind=p.ActionKind.MENTORING,
                    title="Pair with a staff engineer",
                    owner_id="E100",
                    target_date=D,
                )
            ],
        ),
        p.GoalProgressed(
            plan_id="P1", goal_id="G1", employee_id="E100", progress=40, recorded_at=T
        ),
        p.GoalCompleted(
            plan_id="P1",
            goal_id="G1",
            employee_id="E100",
            competency_id="strategic-thinking",
            outcome=p.GoalOutcome.ACHIEVED,
            completed_at=T,
        ),
        p.CheckinRecorded(
            plan_id="P1",
            checkin_id="K1",
            employee_id="E100",
            manager_id="E001",
            progress_rating=4,
            held_at=T,
        ),
        p.PlanCompleted(
            plan_id="P1",
            employee_id="E100",
            outcome=p.PlanOutcome.COMPLETED,
            goals_total=1,
            goals_achieved=1,
            completed_at=T,
        ),
        p.TransitionPlanDrafted(
            plan_id="P2",
            employee_id="E100",
            manager_id="E002",
            from_role_id="eng-senior",
            to_role_id="eng-staff",
            source=p.MoveSource.HRIS,
            closed_plan_id="P1",
            goals=2,
            unknown_competencies=["system-design"],
            moved_at=T,
            drafted_at=T,
        ),
        p.ConversationHeld(
            conversation_id="V1",
            employee_id="E100",
            manager_id="E001",
            kind=p.ConversationKind.CAREER,
            held_at=T,
        ),
        p.ActionUpdated(
            plan_id="P1",
            goal_id="G1",
            action_id="A1",
            employee_id="E100",
            kind=p.ActionKind.COURSE,
            entry_id="sql-foundations",
            status=p.ActionStatus.DONE,
            progress=100,
            via=p.ActionVia.LMS,
            learning_statement_id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            learning_source_id="moodle",
            updated_at=T,
        ),
        lr.LearningCompleted(
            statement_id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            employee_id="E100",
            source_id="moodle",
            activity_id="https://lms.example.com/course/view.php?id=42",
            activity_name="SQL foundations",
            verb=lr.LearningVerb.PASSED,
            success=True,
            score_scaled=0.92,
            occurred_at=T,
            stored_at=T,
        ),
        lr.LearningProgressed(
            statement_id="7ccd3322-e1a5-411a-a67d-6a735c76f119",
            employee_id="E100",
            source_id="moodle",
            activity_id="https://lms.example.com/course/view.php?id=42",
            verb=lr.LearningVerb.PROGRESSED,
            progress=40,
            occurred_at=T,
            stored_at=T,
        ),
        lr.LearningVoided(
            statement_id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            employee_id="E100",
            voided_by="0b4a8bd4-4b8e-4b39-8b0b-44bb0d8b4c0f",
            voided_at=T,
        ),
        m.OpportunityPosted(
            opportunity_id="O1",
            kind=m.OpportunityKind.GIG,
            title="Data pipeline gig",
            required=[m.RequiredCompetency(competency_id="strategic-thinking", level=2)],
            time_share=20,
            duration_weeks=8,
            hiring_manager_id="E001",
            posted_at=T,
        ),
        m.ApplicationSubmitted(
            application_id="AP1", opportunity_id="O1", employee_id="E100", submitted_at=T
        ),
        m.ApplicationWithdrawn(
            application_id="AP1", opportunity_id="O1", employee_id="E100", withdrawn_at=T
        ),
        m.CandidateShortlisted(
            application_id="AP1", opportunity_id="O1", employee_id="E100", shortlisted_at=T
        ),
        m.RoleFilled(
            opportunity_id="O1",
            internal=True,
            employee_id="E100",
            from_role_id="engineering.se",
            to_role_id="engineering.senior",
            move_kind=m.MoveKind.PROMOTION,
            passed_over_count=1,
            posted_at=T,
            filled_at=T,
        ),
        m.CandidatesPassedOver(
            opportunity_id="O1",
            passed_over=[m.PassedOver(employee_id="E101", stage=m.PassedOverStage.SHORTLISTED)],
            filled_at=T,
        ),
        m.OpportunityClosed(opportunity_id="O1", closed_at=T, reason="budget"),
        m.BenchChanged(
            role_id="engineering.staff-engineer",
            critical=True,
            ready_now=1,
            ready_soon=2,
            later=1,
            nominated=2,
            incumbents=3,
            changed_at=T,
        ),
        m.OpportunityMatched(
            opportunity_id="O1",
            title="Senior Data Engineer",
            employee_ids=["E101", "E102"],
            threshold=0.6,
            matched_at=T,
        ),
        metrics.SnapshotTaken(
            snapshot_id="acme:2026-11-25",
            day=D,
            window_days=365,
            figures={"internal_hire_rate": 0.6, "plan_completion_rate": None},
            taken_at=T,
        ),
        pv.ErasureRequested(
            erasure_id="er-1",
            employee_id="E100",
            services=["assessments", "plans"],
            deadline=T,
            requested_at=T,
        ),
        pv.ErasureAnswered(
            erasure_id="er-1",
            employee_id="E100",
            service="plans",
            deleted={"plans": 1, "goals": 3},
            anonymised={"checkins": 2},
            answered_at=T,
        ),
        pv.ErasureCompleted(
            erasure_id="er-1",
            employee_id="E100",
            answered=["assessments", "plans"],
            missing=[],
            completed_at=T,
        ),
        pv.AccessRecorded(
            batch_id="b-1",
            service="assessments",
            records=[
                pv.AccessRecord(
                    actor_id="E001",
                    actor_roles=["manager"],
                    subject_id="E100",
                    action=pv.AccessAction.READ,
                    method="GET",
                    route="/v1/employees/{employee_id}/gaps",
                    status=200,
                    at=T,
                )
            ],
        ),
    ]
}
