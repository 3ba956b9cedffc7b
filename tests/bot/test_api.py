"""The read-only API over real HTTP: tokens, pages, filters, workspaces, and its OpenAPI."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest

from storage.models import ApiToken, Gate, Risk, RiskKind, StatusUpdate
from storage.workspaces import ensure_workspace
from tests.factories import OTHER_TEAM, PM, TEAM, make_project
from workflows.actor import Actor
from workflows.api_tokens import create_token, revoke_token

LEAD = "ULEAD0001"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RESOURCES = ("projects", "status-updates", "risks", "gates")


def issue(database, team_id: str = TEAM, name: str = "BI") -> str:
    """A live token of `team_id`, made by its PMO lead."""
    with database.session() as session:
        ensure_workspace(session=session, team_id=team_id).pmo_leads = [LEAD]
        actor = Actor(team_id=team_id, user_id=LEAD)
        return create_token(session=session, actor=actor, name=name, now=T0).secret


def get(slack, path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return slack.raw("GET", path, headers=headers)


def add_risks(database, project_id: int, count: int, team_id: str = TEAM) -> None:
    """`count` risks, the n-th changed n hours after T0."""
    with database.session() as session:
        for n in range(1, count + 1):
            session.add(
                Risk(
                    team_id=team_id,
                    project_id=project_id,
                    number=n,
                    kind=RiskKind.RISK,
                    title=f"Risk {n}",
                    probability=2,
                    impact=3,
                    score=6,
                    category="delivery",
                    raised_by=PM,
                    created_at=T0,
                    updated_at=T0 + timedelta(hours=n),
                )
            )


@pytest.fixture
def apollo(database):
    return make_project(database, now=T0)


@pytest.fixture
def token(database):
    return issue(database)


@pytest.mark.parametrize("resource", RESOURCES)
def test_without_a_token_each_resource_answers_401_with_json_and_a_challenge(slack, resource):
    reply = get(slack, f"/api/v1/{resource}")
    assert reply.status == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert "error" in reply.json()


@pytest.mark.parametrize(
    "header", ["Bearer pmo_not-a-token", "Basic dXNlcjpwYXNz", "Bearer", "pmo_abc"]
)
def test_a_wrong_token_gets_401(slack, header):
    reply = slack.raw("GET", "/api/v1/projects", headers={"Authorization": header})
    assert reply.status == 401


def test_a_revoked_token_gets_401(slack, database, token):
    assert get(slack, "/api/v1/projects", token).status == 200
    with database.session() as session:
        actor = Actor(team_id=TEAM, user_id=LEAD)
        revoke_token(session=session, actor=actor, name_or_id="BI", now=T0)
    assert get(slack, "/api/v1/projects", token).status == 401


def test_last_used_is_noted_at_most_once_a_minute(slack, database, token, clock):
    def last_used():
        with database.session() as session:
            return session.exec(ApiToken.__table__.select()).first().last_used_at

    get(slack, "/api/v1/projects", token)
    first = clock.now
    assert last_used() == first
    clock.advance(seconds=30)
    get(slack, "/api/v1/projects", token)
    assert last_used() == first
    clock.advance(seconds=31)
    get(slack, "/api/v1/projects", token)
    assert last_used() == clock.now


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-ours", "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"1 OR 1=1").decode(), "cursor"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2026-11-02T09:00:00", "updated_since"),
    ],
)
def test_a_bad_parameter_gets_400_naming_it(slack, token, query, parameter):
    reply = get(slack, f"/api/v1/risks?{query}", token)
    assert reply.status == 400
    assert reply.json()["parameter"] == parameter


def test_pages_cover_every_row_once_in_id_order(slack, database, token, apollo):
    add_risks(database, apollo.id, 7)
    seen, cursor, pages = [], None, 0
    while True:
        path = "/api/v1/risks?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = get(slack, path, token).json()
        seen += [row["number"] for row in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == ([1, 2, 3, 4, 5, 6, 7], 3)


def test_a_full_last_page_has_no_next_cursor(slack, database, token, apollo):
    add_risks(database, apollo.id, 3)
    body = get(slack, "/api/v1/risks?limit=3", token).json()
    assert (len(body["data"]), body["next_cursor"]) == (3, None)


def test_updated_since_keeps_rows_changed_at_or_after_it(slack, database, token, apollo):
    add_risks(database, apollo.id, 5)
    since = quote((T0 + timedelta(hours=4)).isoformat())
    body = get(slack, f"/api/v1/risks?updated_since={since}", token).json()
    assert [row["number"] for row in body["data"]] == [4, 5]
    # The same moment in another offset, its `+` left unencoded as clients often do.
    body = get(slack, "/api/v1/risks?updated_since=2026-11-02T15:00:00+02:00", token).json()
    assert [row["number"] for row in body["data"]] == [4, 5]


def test_a_token_reads_only_its_own_workspace(slack, database, token, apollo):
    other = make_project(database, team_id=OTHER_TEAM, key="ZEUS", channel_id=None, now=T0)
    add_risks(database, apollo.id, 2)
    add_risks(database, other.id, 3, team_id=OTHER_TEAM)
    other_token = issue(database, OTHER_TEAM)
    mine = get(slack, "/api/v1/risks", token).json()["data"]
    theirs = get(slack, "/api/v1/risks", other_token).json()["data"]
    assert {row["project_key"] for row in mine} == {"APOLLO"} and len(mine) == 2
    assert {row["project_key"] for row in theirs} == {"ZEUS"} and len(theirs) == 3
    projects = get(slack, "/api/v1/projects", other_token).json()["data"]
    assert [p["key"] for p in projects] == ["ZEUS"]


def test_a_project_reads_as_analysts_want_it(slack, token, apollo):
    [row] = get(slack, "/api/v1/projects", token).json()["data"]
    assert row["key"] == "APOLLO" and row["pm"] == PM
    assert row["budget"] == "250000.00"
    assert datetime.fromisoformat(row["updated_at"]).utcoffset() == timedelta(0)


def test_status_updates_carry_each_dimension_and_money_as_strings(slack, database, token, apollo):
    with database.session() as session:
        session.add(
            StatusUpdate(
                team_id=TEAM,
                project_id=apollo.id,
                period="2026-W45",
                author=PM,
                created_at=T0,
                overall="amber",
                schedule="red",
                scope="green",
                budget="green",
                resources="amber",
                summary="Vendor late",
                path_to_green="New vendor",
                spent_to_date=Decimal("1234.50"),
            )
        )
    [row] = get(slack, "/api/v1/status-updates", token).json()["data"]
    assert row["project_key"] == "APOLLO"
    assert (row["rag_overall"], row["rag_schedule"], row["rag_resources"]) == (
        "amber",
        "red",
        "amber",
    )
    assert row["spent_to_date"] == "1234.50" and row["forecast_at_completion"] is None


def test_gates_are_filtered_by_their_decision_else_their_request(slack, database, token, apollo):
    with database.session() as session:
        for number, decided in ((1, T0 + timedelta(days=3)), (2, None)):
            session.add(
                Gate(
                    team_id=TEAM,
                    project_id=apollo.id,
                    number=number,
                    from_phase="Plan",
                    to_phase="Build",
                    requested_by=PM,
                    requested_at=T0 + timedelta(days=number - 1),
                    evidence="Plan signed",
                    rule="all",
                    required=2,
                    status="approved" if decided else "pending",
                    decided_at=decided,
                )
            )
    since = quote((T0 + timedelta(days=2)).isoformat())
    body = get(slack, f"/api/v1/gates?updated_since={since}", token).json()
    assert [row["number"] for row in body["data"]] == [1]
    assert len(get(slack, "/api/v1/gates", token).json()["data"]) == 2


def test_the_openapi_document_is_served_without_a_token_and_matches_the_rows(
    slack, database, token, apollo
):
    add_risks(database, apollo.id, 1)
    reply = get(slack, "/api/v1/openapi.json")
    assert reply.status == 200
    document = reply.json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {f"/{r}" for r in RESOURCES}
    schemas = document["components"]["schemas"]
    for resource, name in (("projects", "ProjectRow"), ("risks", "RiskRow")):
        [row] = get(slack, f"/api/v1/{resource}", token).json()["data"]
        assert set(row) == set(schemas[name]["properties"])
        assert set(schemas[name]["required"]) <= set(row)
    json.dumps(document)  # plain JSON all through


def test_anything_else_under_the_api_is_a_json_404(slack, token):
    for path in ("/api/v1/people", "/api/v1", "/api/v1/projects/1"):
        reply = get(slack, path, token)
        assert (reply.status, "error" in reply.json()) == (404, True), path


def test_the_api_is_read_only(slack, token):
    reply = slack.raw("POST", "/api/v1/projects", "{}", {"Authorization": f"Bearer {token}"})
    assert reply.status == 405
    assert "error" in reply.json() and "GET" in reply.headers["allow"]
