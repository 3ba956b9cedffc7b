"""Acknowledgement rules called directly: who may, versions of the post, what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.acknowledgements import acknowledged_update_ids, acknowledgements_of
from storage.models import Rag
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project
from workflows import message_keys
from workflows.acknowledgements import (
    AcknowledgementNotice,
    acknowledge,
    acknowledgers,
    comment_form,
)
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.status import StatusDraft, StatusPost, post_update

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LEAD = "ULEAD0001"


def posted(database, project, *, author=PM, overall=Rag.GREEN, now=NOW):
    path = "" if overall == Rag.GREEN else "a plan"
    draft = StatusDraft(overall=overall, summary="s", path_to_green=path)
    with database.session() as session:
        return post_update(
            session=session, project=project, author=author, draft=draft, now=now
        ).update


def ack(database, update, user=SPONSOR, comment=""):
    with database.session() as session:
        return acknowledge(
            session=session,
            actor=Actor(TEAM, user),
            update_id=update.id,
            comment=comment,
            now=NOW,
        )


def test_who_may_is_the_sponsor_then_pmo_leads_then_digest_leaders_each_once(database):
    project = make_project(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD, SPONSOR]
        workspace.digest_leaders = [LEAD, "ULEADER01"]
        session.add(workspace)
    with database.session() as session:
        assert acknowledgers(session=session, project=project) == [SPONSOR, LEAD, "ULEADER01"]


def test_each_change_is_a_new_version_of_the_post_and_its_messages(database):
    project = make_project(database)
    update = posted(database, project, author=MEMBER)
    first = ack(database, update)
    edit, *told = first.messages
    assert edit.key == message_keys.status_acknowledged(update.id, 1)
    assert edit.update_key == message_keys.status_posted(update.id)
    assert isinstance(edit.content, StatusPost)
    assert [a.user_id for a in edit.content.acknowledgements] == [SPONSOR]
    assert [(m.to, m.key) for m in told] == [
        (PM, message_keys.status_acknowledgement_told(update.id, 1, PM)),
        (MEMBER, message_keys.status_acknowledgement_told(update.id, 1, MEMBER)),
    ]
    assert isinstance(told[0].content, AcknowledgementNotice)
    again = ack(database, update, comment="Thanks")
    assert again.changed and again.messages[0].key == message_keys.status_acknowledged(update.id, 2)
    assert again.messages[1].content.again


def test_nothing_new_sends_nothing(database):
    project = make_project(database)
    update = posted(database, project)
    ack(database, update, comment="Noted")
    for comment in ("", "Noted", "  Noted "):
        same = ack(database, update, comment=comment)
        assert not same.changed and same.messages == []
        assert same.acknowledgement.comment == "Noted"  # a plain click keeps the comment


def test_a_comment_over_3000_characters_is_refused_on_its_field(database):
    project = make_project(database)
    update = posted(database, project)
    with pytest.raises(InvalidInput) as refused:
        ack(database, update, comment="x" * 3001)
    assert refused.value.errors == {
        "comment": "The comment can be at most 3,000 characters; yours has 3,001."
    }


def test_the_pm_who_is_also_a_pmo_lead_is_not_told_of_their_own_acknowledgement(database):
    project = make_project(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [PM]
        session.add(workspace)
    update = posted(database, project, author=MEMBER)
    done = ack(database, update, user=PM)
    assert [m.to for m in done.messages[1:]] == [MEMBER]


def test_refusals(database):
    project = make_project(database)
    update = posted(database, project)
    with pytest.raises(NotPermitted):
        ack(database, update, user=OUTSIDER)
    newer = posted(database, project, now=NOW + timedelta(hours=1))
    with pytest.raises(PmoError, match="replaced by a newer one"):
        ack(database, update)
    with database.session() as session, pytest.raises(PmoError, match="no longer exists"):
        acknowledge(session=session, actor=Actor("T0OTHER01", SPONSOR), update_id=newer.id, now=NOW)


def test_with_nobody_named_the_refusal_says_where_to_name_them(database):
    project = make_project(database, sponsor=None)
    update = posted(database, project)
    with pytest.raises(NotPermitted) as refused:
        ack(database, update, user=OUTSIDER)
    assert str(refused.value) == (
        "Only the sponsor of APOLLO, the PMO leads and the digest's leaders acknowledge its "
        "status updates. None is named yet: `/pmo edit` sets the sponsor, `/pmo settings` "
        "the PMO leads and the digest's leaders."
    )


def test_the_comment_form_shows_the_comment_given_before(database):
    project = make_project(database)
    update = posted(database, project)
    with database.session() as session:
        blank = comment_form(session=session, actor=Actor(TEAM, SPONSOR), update_id=update.id)
    assert (blank.label, blank.comment) == ("APOLLO week of Mon 23 Nov 2026", "")
    ack(database, update, comment="Go on")
    with database.session() as session:
        asked = comment_form(session=session, actor=Actor(TEAM, SPONSOR), update_id=update.id)
    assert asked.comment == "Go on"


def test_queries_say_who_acknowledged_which_update(database):
    project = make_project(database)
    red = posted(database, project, overall=Rag.RED)
    later = posted(database, project, overall=Rag.AMBER, now=NOW + timedelta(days=7))
    ack(database, red)
    with database.session() as session:
        ids = [red.id, later.id]
        assert acknowledged_update_ids(session=session, team_id=TEAM, update_ids=ids) == {red.id}
        assert (
            acknowledged_update_ids(session=session, team_id=TEAM, update_ids=ids, user_id=PM)
            == set()
        )
        found = acknowledgements_of(session=session, team_id=TEAM, update_ids=ids)
        assert [a.user_id for a in found[red.id]] == [SPONSOR] and found[later.id] == []
        assert acknowledgements_of(session=session, team_id=TEAM, update_ids=[]) == {}
