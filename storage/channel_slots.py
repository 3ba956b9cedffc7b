"""Channel slots: when each conversation may next get a post, booked by every deliverer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import ChannelSlot


def book(
    *, session: Session, team_id: str, channel: str, now: datetime, interval: timedelta
) -> float:
    """Book the channel's next slot: 0.0 when it was free (it is then taken until
    now + interval), else the seconds until it is free. Two deliverers booking at once get
    one slot between them (the row's lock decides, on PostgreSQL as on SQLite)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # One statement: create the slot, or move it on if it is free; a row comes back when
    # the slot is ours.
    statement = dialect.insert(ChannelSlot).values(
        team_id=team_id, channel=channel, free_at=now + interval
    )
    booked = session.execute(
        statement.on_conflict_do_update(
            index_elements=[ChannelSlot.team_id, ChannelSlot.channel],
            set_={"free_at": statement.excluded.free_at},
            # A slot further off than one interval was booked by a clock ahead of ours (a
            # job run with --at, a host whose clock is fast): it says nothing of Slack's
            # real pace, so it does not hold this post back for days.
            where=(col(ChannelSlot.free_at) <= now) | (col(ChannelSlot.free_at) > now + interval),
        ).returning(ChannelSlot.id)
    ).first()
    if booked is not None:
        return 0.0
    free_at = session.exec(
        select(ChannelSlot.free_at).where(
            col(ChannelSlot.team_id) == team_id, col(ChannelSlot.channel) == channel
        )
    ).one()
    return max((free_at - now).total_seconds(), 0.001)
