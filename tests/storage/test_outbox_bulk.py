"""Jobs store and look up outbox messages in bulk: the same rows as one at a time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import col, select

from storage import outbox, sent_messages
from storage.models import OutboxMessage, OutboxStatus
from storage.workspaces import ensure_workspace
from tests.conftest import START
from tests.factories import TEAM


def stored(database):
    with database.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [(m.key, m.channel, m.text, m.thread_key, m.next_attempt_at) for m in rows]


def test_many_are_stored_in_order_and_a_stored_key_is_left_as_it_was(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(session=session, team_id=TEAM, key="k1", channel="C1", text="old", now=START)
    later = START + timedelta(minutes=5)
    messages = [
        {"team_id": TEAM, "key": "k1", "channel": "C1", "text": "new"},
        {"team_id": TEAM, "key": "k2", "channel": "C2", "text": "two"},
        {"team_id": TEAM, "key": "k3", "channel": "C2", "text": "three", "thread_key": "k2"},
        {"team_id": TEAM, "key": "k2", "channel": "C2", "text": "again"},
    ]
    with database.session() as session:
        assert outbox.enqueue_many(session=session, messages=messages, now=later) == 2
    assert stored(database) == [
        ("k1", "C1", "old", None, START),
        ("k2", "C2", "two", None, later),
        ("k3", "C2", "three", "k2", later),
    ]
    with database.session() as session:
        assert outbox.enqueue_many(session=session, messages=messages, now=later) == 0


def test_the_first_reminder_after_each_moment_is_found_by_its_prefix(database):
    sent = {"nudge:status:1:W1": 1, "nudge:status:1:W2": 3, "nudge:status:2:W2": 2}
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        for key, days in sent.items():
            message, _ = outbox.enqueue(
                session=session, team_id=TEAM, key=key, channel="U1", text="x", now=START
            )
            message.status, message.sent_at = OutboxStatus.SENT, START + timedelta(days=days)
            session.add(message)
        outbox.enqueue(
            session=session,
            team_id=TEAM,
            key="nudge:status:3:W2",
            channel="U1",
            text="x",
            now=START,
        )
    after = {
        "nudge:status:1:": START + timedelta(days=2),
        "nudge:status:2:": None,
        "nudge:status:3:": None,
        "nudge:status:12:": None,
    }
    with database.session() as session:
        found = sent_messages.first_sent_after_each(session=session, team_id=TEAM, after=after)
        one_by_one = {
            prefix: sent_messages.first_sent_after(
                session=session, team_id=TEAM, key_prefix=prefix, after=moment
            )
            for prefix, moment in after.items()
        }
    assert {prefix: m.key for prefix, m in found.items()} == {
        "nudge:status:1:": "nudge:status:1:W2",
        "nudge:status:2:": "nudge:status:2:W2",
    }
    assert found == {prefix: m for prefix, m in one_by_one.items() if m is not None}


def test_thousands_of_keys_are_looked_up_and_stored_in_a_statement_each(database):
    # The nudge job asks about every nudge's key at once: one statement however many.
    keys = [f"nudge:status:{n}:2026-W49" for n in range(1200)]
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(
            session=session, team_id=TEAM, key=keys[7], channel="U1", text="x", now=START
        )
    messages = [{"team_id": TEAM, "key": key, "channel": "U1", "text": "due"} for key in keys]
    executed = []

    def note(_conn, _cursor, statement, *_):
        executed.append(statement.split()[0])

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.session() as session:
            found = sent_messages.existing(session=session, team_id=TEAM, keys=[*keys, "other"])
            stored_now = outbox.enqueue_many(session=session, messages=messages, now=START)
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert found == {keys[7]}
    assert stored_now == len(keys) - 1
    # PostgreSQL's rows go in by one COPY, a statement SQLAlchemy's events do not see.
    inserts = 0 if database.backend == "postgresql" else 1
    assert executed.count("SELECT") == 2 and executed.count("INSERT") == inserts
    assert len(stored(database)) == len(keys)


def every_column(database, key):
    table = OutboxMessage.__table__
    with database.session() as session:
        row = session.execute(select(table).where(table.c.key == key)).mappings().one()
    return {name: value for name, value in row.items() if name not in ("id", "key")}


def test_in_bulk_every_column_is_stored_as_one_at_a_time(database):
    message = {
        "team_id": TEAM,
        "channel": "C0DIGEST1",
        "text": "Ünïcode & <b>markup</b>, \\ back\\slashes\nand \t tabs",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "→ *é* \\N"}}],
        "thread_key": "digest:T:W49",
        "update_key": None,
        "link_key": "risk:posted:7",
        "file_name": "chart.png",
        "file_title": "Portfolio health",
        "file_alt_text": "bars",
        "file_data": bytes(range(256)) * 3,
        "request_id": "req-0001",
    }
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(session=session, key="one", now=START, **message)
        outbox.enqueue_many(session=session, messages=[{**message, "key": "bulk"}], now=START)
        plain = {"team_id": TEAM, "channel": "U1", "text": "x"}
        outbox.enqueue(session=session, key="one-plain", now=START, **plain)
        outbox.enqueue_many(session=session, messages=[{**plain, "key": "bulk-plain"}], now=START)
    assert every_column(database, "bulk") == every_column(database, "one")
    assert every_column(database, "bulk-plain") == every_column(database, "one-plain")
    assert every_column(database, "bulk")["file_data"] == bytes(range(256)) * 3
    assert every_column(database, "bulk-plain")["status"] == OutboxStatus.PENDING


def test_a_key_stored_meanwhile_by_another_is_kept_and_the_rest_are_stored(database, monkeypatch):
    # Another transaction stores k2 after this one looked for stored keys: the bulk insert
    # is refused, and each message is then stored as `enqueue` stores it.
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(
            session=session, team_id=TEAM, key="k2", channel="C1", text="theirs", now=START
        )
    monkeypatch.setattr(sent_messages, "existing", lambda **_: set())
    later = START + timedelta(minutes=1)
    messages = [
        {"team_id": TEAM, "key": key, "channel": "C1", "text": "ours"} for key in ("k1", "k2", "k3")
    ]
    with database.session() as session:
        assert outbox.enqueue_many(session=session, messages=messages, now=later) == 2
    assert stored(database) == [
        ("k2", "C1", "theirs", None, START),
        ("k1", "C1", "ours", None, later),
        ("k3", "C1", "ours", None, later),
    ]
