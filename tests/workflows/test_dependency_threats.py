"""Dependency threats: the rules (which dependency is in danger, whom it reaches along which
chain) and "Needs attention" naming the projects they reach, in bulk."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event

from commands.attention_message import attention_line
from storage.models import Dependency, Project, Rag
from storage.watchlist import Standing
from tests.factories import PM, TEAM, make_project
from tests.workflows.test_attention import MONDAY, post
from workflows.actor import Actor
from workflows.attention import Concern, needs_attention
from workflows.dependencies import DependencyDraft, add_dependency
from workflows.dependency_threats import ThreatKind, reaches, threats

TODAY = date(2026, 11, 30)


def project(number, key, target=None):
    return Project(
        id=number, team_id=TEAM, key=key, name=key.title(), phase="Plan", created_by=PM,
        target_date=target,
    )  # fmt: skip


def dependency(number, down, up, need_by=date(2027, 2, 1)):
    return Dependency(
        id=number, team_id=TEAM, downstream_id=down.id, upstream_id=up.id, deliverable="api",
        need_by=need_by, created_by=PM, created_at=MONDAY,
    )  # fmt: skip


def standing(update_id, project_id, rag):
    return Standing(update_id, project_id, MONDAY, PM, rag.value, "s", "", False, [], None)


APOLLO, HERMES, ZEUS, ATHENA = (
    project(1, "APOLLO"),
    project(2, "HERMES"),
    project(3, "ZEUS"),
    project(4, "ATHENA"),
)
PROJECTS = {p.id: p for p in (APOLLO, HERMES, ZEUS, ATHENA)}


def reached(dependencies, standings=(), today=TODAY, projects=PROJECTS):
    found = threats(
        dependencies=dependencies,
        projects=projects,
        standing={s.project_id: s for s in standings},
        today=today,
    )
    return [
        (r.threat.kind, r.waiting.key, " → ".join(p.key for p in r.chain))
        for r in reaches(found, dependencies, projects)
    ]


# -- the rules -----------------------------------------------------------------------------


def test_a_threat_at_the_far_end_of_a_chain_reaches_every_project_along_it():
    chain = [dependency(1, APOLLO, HERMES), dependency(2, HERMES, ZEUS)]
    assert reached(chain, [standing(9, ZEUS.id, Rag.RED)]) == [
        (ThreatKind.COLOUR, "HERMES", "ZEUS → HERMES"),
        (ThreatKind.COLOUR, "APOLLO", "ZEUS → HERMES → APOLLO"),
    ]


def test_green_and_on_hold_upstreams_threaten_nothing():
    chain = [dependency(1, APOLLO, HERMES)]
    assert reached(chain, [standing(9, HERMES.id, Rag.GREEN)]) == []
    assert reached(chain, [standing(9, HERMES.id, Rag.HOLD)]) == []


def test_a_target_date_after_the_need_date_and_a_passed_need_date_are_threats():
    late = project(2, "HERMES", target=date(2027, 2, 2))
    on_time = project(2, "HERMES", target=date(2027, 2, 1))
    chain = [dependency(1, APOLLO, late)]
    assert reached(chain, projects={**PROJECTS, 2: late}) == [
        (ThreatKind.LATE_TARGET, "APOLLO", "HERMES → APOLLO")
    ]
    assert reached(chain, projects={**PROJECTS, 2: on_time}) == []
    assert reached(chain, today=date(2027, 2, 1)) == []
    assert reached(chain, today=date(2027, 2, 2)) == [
        (ThreatKind.MISSED, "APOLLO", "HERMES → APOLLO")
    ]


def test_each_project_is_reached_once_by_its_shortest_chain():
    # ATHENA waits on APOLLO and on ZEUS directly; APOLLO waits on ZEUS too.
    graph = [
        dependency(1, APOLLO, ZEUS),
        dependency(2, ATHENA, APOLLO),
        dependency(3, ATHENA, ZEUS),
    ]
    found = reached(graph, [standing(9, ZEUS.id, Rag.AMBER)])
    # The threat to ATHENA's own dependency on ZEUS, and the one to APOLLO's that reaches
    # ATHENA through APOLLO: each once.
    assert found == [
        (ThreatKind.COLOUR, "APOLLO", "ZEUS → APOLLO"),
        (ThreatKind.COLOUR, "ATHENA", "ZEUS → APOLLO → ATHENA"),
        (ThreatKind.COLOUR, "ATHENA", "ZEUS → ATHENA"),
    ]


def test_a_cycle_stored_out_of_band_does_not_loop():
    cycle = [dependency(1, APOLLO, HERMES), dependency(2, HERMES, APOLLO)]
    assert reached(cycle, [standing(9, HERMES.id, Rag.RED)]) == [
        (ThreatKind.COLOUR, "APOLLO", "HERMES → APOLLO")
    ]


# -- needs attention -----------------------------------------------------------------------


def stored_chain(database):
    """APOLLO waits on HERMES, HERMES on ZEUS (by 30 Apr, after their target dates); ZEUS
    and ATHENA report red, the others green."""
    made = {
        key: make_project(database, key=key, name=f"{key.title()} programme", channel_id=None)
        for key in ("APOLLO", "HERMES", "ZEUS", "ATHENA")
    }
    for down, up in (("APOLLO", "HERMES"), ("HERMES", "ZEUS")):
        with database.session() as session:
            add_dependency(
                session=session,
                actor=Actor(TEAM, PM),
                draft=DependencyDraft(down, up, f"{up.lower()} api", date(2027, 4, 30)),
                now=MONDAY,
            )
    wednesday = datetime(2026, 11, 25, 10, tzinfo=UTC)
    for key, rag in (("APOLLO", Rag.GREEN), ("HERMES", Rag.GREEN), ("ZEUS", Rag.RED)):
        post(database, made[key], wednesday, rag)
    post(database, made["ATHENA"], wednesday, Rag.RED)
    return made


def test_needs_attention_names_every_project_a_threat_reaches(database):
    stored_chain(database)
    with database.session() as session:
        attention = needs_attention(session=session, team_id=TEAM, now=MONDAY)
    by_key = {item.project.key: item for item in attention.items}
    concerns = {key: [r.concern for r in item.reasons] for key, item in by_key.items()}
    assert Concern.DEPENDENCY in concerns["APOLLO"] and Concern.DEPENDENCY in concerns["HERMES"]
    assert Concern.DEPENDENCY not in concerns["ZEUS"] + concerns["ATHENA"]  # they wait on none
    line = attention_line(by_key["APOLLO"], attention.today)
    assert line.startswith(":link: *APOLLO* Apollo programme")
    assert (
        "dependency in danger along the chain ZEUS → HERMES → APOLLO: *HERMES* needs “zeus api” "
        "from *ZEUS* by Fri 30 Apr 2027, and ZEUS is red (off track) for 5 days"
    ) in line
    hermes = attention_line(by_key["HERMES"], attention.today)
    assert "dependency in danger: *HERMES* needs “zeus api” from *ZEUS*" in hermes


def test_the_dependencies_cost_one_statement_however_many_there_are(database):
    def statements():
        issued = 0

        def tally(*_):
            nonlocal issued
            issued += 1

        event.listen(database.engine, "before_cursor_execute", tally)
        try:
            with database.session() as session:
                needs_attention(session=session, team_id=TEAM, now=MONDAY)
        finally:
            event.remove(database.engine, "before_cursor_execute", tally)
        return issued

    stored_chain(database)
    few = statements()
    for number in range(5):
        make_project(database, key=f"MORE{number}", channel_id=None)
        with database.session() as session:
            add_dependency(
                session=session,
                actor=Actor(TEAM, PM),
                draft=DependencyDraft(f"MORE{number}", "APOLLO", "launch", date(2027, 2, 1)),
                now=MONDAY,
            )
    assert statements() == few
