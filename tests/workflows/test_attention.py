"""Needs attention: each kind of problem planted in a portfolio with healthy projects beside
them; every problem is named once, most severe first, and no healthy project is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event

from storage.models import Acknowledgement, Rag
from storage.status_history import latest
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, APPROVER_2, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.attention import Concern, needs_attention
from workflows.gates import GateDraft, store_request
from workflows.projects import set_archived
from workflows.risks import RiskDraft, Severity, store_risk
from workflows.staleness import projects_needing_update
from workflows.status import StatusDraft, post_update

MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
CREATED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
# The Wednesdays of the four weeks before MONDAY, oldest first.
WEDNESDAYS = [datetime(2026, 11, day, 10, 0, tzinfo=UTC) for day in (4, 11, 18, 25)]

HEALTHY = ["CALM1", "CALM2", "CALM3"]
QUIET = ["PAUSED", "OLD"]  # on hold, archived: nothing to say
# What the planted portfolio needs, most severe first.
EXPECTED = [
    ("REDONE", [Concern.OFF_TRACK, Concern.UNACKNOWLEDGED]),
    ("NEVER", [Concern.NO_UPDATE]),
    ("SILENT", [Concern.NO_UPDATE]),
    ("AMBERACK", [Concern.AT_RISK]),
    ("AMBERNEW", [Concern.AT_RISK]),
    ("LATE", [Concern.PAST_TARGET]),  # named once, not again as the flag it raised
    ("COSTLY", [Concern.OVER_BUDGET]),
    ("FLAGGED", [Concern.FLAGGED_GREEN]),
    ("GATED", [Concern.GATE_OVERDUE]),
    ("RISKY", [Concern.RISK_UNATTENDED, Concern.RISK_UNATTENDED]),
    ("FRESH", [Concern.FIRST_UPDATE]),
]
PROBLEMS = [key for key, _ in EXPECTED]


def post(database, project, when, rag=Rag.GREEN, **fields):
    with database.session() as session:
        return post_update(
            session=session,
            project=project,
            author=PM,
            now=when,
            draft=StatusDraft(rag, "s", path_to_green="Daily calls with the vendor", **fields),
        ).update


def weekly(database, project, rags=(Rag.GREEN,) * 4, **fields):
    """An update each Wednesday of the last four weeks, in these colours; the last one."""
    days = zip(WEDNESDAYS[: len(rags)], rags, strict=True)
    return [post(database, project, when, rag, **fields) for when, rag in days][-1]


def project(database, key, now=CREATED, **fields):
    return make_project(
        database, key=key, name=f"{key.title()} programme", channel_id=None, now=now, **fields
    )


def acknowledge(database, update, user):
    with database.session() as session:
        session.add(
            Acknowledgement(
                team_id=TEAM,
                update_id=update.id,
                user_id=user,
                created_at=MONDAY,
                updated_at=MONDAY,
            )
        )


def plant_portfolio(database):
    """Three healthy projects, one on hold, one archived, and one of each problem."""
    calm = [project(database, key) for key in HEALTHY]
    for each in calm:
        weekly(database, each)
    # A healthy project may have risks and a gate, all looked after.
    raise_risk(database, calm[2], 4, 3, owner=MEMBER, review_date=date(2026, 12, 20))
    raise_risk(database, calm[2], 2, 3)  # medium and unowned: not high enough to warn
    request_gate(database, calm[2], datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # SLA: Tue 1 Dec
    paused = project(database, "PAUSED")
    post(database, paused, WEDNESDAYS[0], Rag.HOLD)
    old = project(database, "OLD")
    weekly(database, old, (Rag.RED,) * 4)
    with database.session() as session:
        set_archived(session=session, team_id=TEAM, actor=PM, key="OLD", archived=True, now=CREATED)

    red = weekly(database, project(database, "REDONE"), (Rag.GREEN, Rag.RED, Rag.RED, Rag.RED))
    acknowledge(database, red, MEMBER)  # not one of its acknowledgers
    project(database, "NEVER")
    post(database, project(database, "SILENT"), WEDNESDAYS[0])
    amber = weekly(database, project(database, "AMBERACK"), (Rag.GREEN,) * 3 + (Rag.AMBER,))
    acknowledge(database, amber, SPONSOR)
    newly = project(database, "AMBERNEW")
    weekly(database, newly)
    post(database, newly, MONDAY - timedelta(hours=1), Rag.AMBER)  # too recent to owe a reading
    weekly(database, project(database, "LATE", phase="Execute", target_date=date(2026, 11, 1)))
    costly = project(database, "COSTLY")
    for when, forecast in zip(WEDNESDAYS, ("200000", "240000", "260000", "300000"), strict=True):
        post(database, costly, when, forecast_at_completion=Decimal(forecast))
    flagged = project(database, "FLAGGED")
    weekly(database, flagged, (Rag.GREEN,) * 3)
    post(database, flagged, WEDNESDAYS[3], budget=Rag.RED)
    gated = project(database, "GATED")
    weekly(database, gated)
    request_gate(database, gated, datetime(2026, 11, 19, 9, 0, tzinfo=UTC))  # SLA: Mon 23 Nov
    risky = project(database, "RISKY")
    weekly(database, risky)
    raise_risk(database, risky, 5, 5, when=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    raise_risk(database, risky, 4, 3, owner=MEMBER, review_date=date(2026, 11, 20))
    project(database, "FRESH", now=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # after its due day


def request_gate(database, project, when):
    with database.session() as session:
        store_request(
            session=session,
            project=project,
            requester=PM,
            draft=GateDraft(evidence="ready", ticked=[0, 1, 2]),
            now=when,
        )


def raise_risk(database, project, p, i, when=WEDNESDAYS[0], **fields):
    with database.session() as session:
        store_risk(
            session=session,
            project=project,
            raised_by=PM,
            now=when,
            draft=RiskDraft(title=f"Risk p{p} i{i}", probability=p, impact=i, **fields),
        )


def attention(database, now=MONDAY):
    with database.session() as session:
        return needs_attention(session=session, team_id=TEAM, now=now)


def test_every_problem_is_named_once_most_severe_first(database):
    plant_portfolio(database)
    found = attention(database)
    assert [(i.project.key, [r.concern for r in i.reasons]) for i in found.items] == EXPECTED
    assert [i.project.key for i in found.information] == ["FRESH"]


def test_healthy_on_hold_and_archived_projects_are_not_named(database):
    plant_portfolio(database)
    named = {item.project.key for item in attention(database).items}
    assert named.isdisjoint(HEALTHY + QUIET)


def test_each_reason_says_since_when(database):
    plant_portfolio(database)
    items = {item.project.key: item.reasons for item in attention(database).items}
    since = {key: [(r.since, r.days) for r in reasons] for key, reasons in items.items()}
    assert since["REDONE"] == [(date(2026, 11, 11), 19), (date(2026, 11, 25), 5)]
    assert since["NEVER"] == [(date(2026, 10, 1), 60)]
    assert since["SILENT"] == [(date(2026, 11, 4), 26)]
    assert since["LATE"] == [(date(2026, 11, 1), 29)]
    assert since["COSTLY"] == [(date(2026, 11, 18), 12)]
    assert since["GATED"] == [(date(2026, 11, 23), 7)]
    assert since["RISKY"] == [(date(2026, 11, 10), 20), (date(2026, 11, 20), 10)]


def test_the_reasons_carry_what_a_leader_needs_to_act(database):
    plant_portfolio(database)
    items = {item.project.key: item for item in attention(database).items}
    red = items["REDONE"].reasons[0]
    assert (red.rag, red.path_to_green) == (Rag.RED, "Daily calls with the vendor")
    assert items["FLAGGED"].reasons[0].flags == ["green overall while budget is off track"]
    silent = items["SILENT"].reasons[0]
    assert (silent.due, silent.last_update) == (date(2026, 11, 27), date(2026, 11, 4))
    assert items["NEVER"].reasons[0].last_update is None
    assert items["FRESH"].reasons[0].due == date(2026, 12, 4)
    costly = items["COSTLY"].reasons[0]
    assert (costly.forecast, costly.budget) == (Decimal("300000.00"), Decimal("250000.00"))
    assert items["GATED"].reasons[0].waiting == [APPROVER, APPROVER_2]
    critical, high = items["RISKY"].reasons
    assert (critical.band, critical.unowned, critical.review_date) == (
        Severity.CRITICAL,
        True,
        None,
    )
    assert (high.band, high.unowned, high.review_date) == (Severity.HIGH, False, date(2026, 11, 20))
    assert items["REDONE"].pm == PM


def test_a_missed_update_is_what_the_nudges_call_due_or_overdue(database):
    plant_portfolio(database)
    fresh_due = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # FRESH's first due day
    for now in (
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 12, 0, tzinfo=UTC),  # Friday: the due day
        datetime(2026, 11, 28, 18, 0, tzinfo=UTC),
        MONDAY,
        datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    ):
        with database.session() as session:
            stale = {
                s.project.key
                for s in projects_needing_update(session=session, team_id=TEAM, now=now)
            }
        missed = {
            item.project.key
            for item in attention(database, now=now).items
            if Concern.NO_UPDATE in [r.concern for r in item.reasons]
        }
        # Until its first due day FRESH owes nothing it could have posted: information only.
        assert missed == (stale if now >= fresh_due else stale - {"FRESH"}), now


def test_a_leaders_acknowledgement_clears_the_unacknowledged_warning(database):
    plant_portfolio(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = ["ULEAD0001"]
        session.add(workspace)
    red = attention(database).items[0]
    assert red.reasons[-1].concern == Concern.UNACKNOWLEDGED
    with database.session() as session:
        update = latest(session=session, team_id=TEAM, project_id=red.project.id)
    acknowledge(database, update, "ULEAD0001")
    assert [r.concern for r in attention(database).items[0].reasons] == [Concern.OFF_TRACK]


def test_a_red_update_is_given_two_working_days_to_be_read(database):
    late = project(database, "LATE")
    post(database, late, datetime(2026, 11, 27, 10, 0, tzinfo=UTC), Rag.RED)  # a Friday
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    [item] = attention(database, now=tuesday).items
    assert [r.concern for r in item.reasons] == [Concern.OFF_TRACK]
    [item] = attention(database, now=tuesday + timedelta(hours=2)).items
    assert [r.concern for r in item.reasons] == [Concern.OFF_TRACK, Concern.UNACKNOWLEDGED]


def test_nothing_needs_attention_in_a_healthy_portfolio(database):
    for key in HEALTHY:
        weekly(database, project(database, key))
    assert attention(database).items == []


def test_the_statements_do_not_grow_with_the_projects(database):
    def statements():
        issued = 0

        def tally(*_):
            nonlocal issued
            issued += 1

        event.listen(database.engine, "before_cursor_execute", tally)
        try:
            attention(database)
        finally:
            event.remove(database.engine, "before_cursor_execute", tally)
        return issued

    plant_portfolio(database)
    few = statements()
    for number in range(6):
        key = f"MORE{number}"
        weekly(database, project(database, key), (Rag.RED,) * 4)
        request_gate(database, project(database, f"GATE{number}"), WEDNESDAYS[0])
        raise_risk(database, project(database, f"RISK{number}"), 5, 5)
    assert statements() == few > 0
