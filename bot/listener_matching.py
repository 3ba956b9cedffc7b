"""Bolt's listener matching without its argument building for every listener tried.

Bolt tries the listeners in the order they were registered until one matches; each of its
built-in matchers (command name, action id, callback id, event type) first builds the whole
set of listener arguments, some thirty of them with the body parsed several times, only to
pass it `body`. With about ninety listeners that cost 0.25 ms of CPU for `/status` (the
20th) and over 1 ms for an action or event registered late, in every request. Once every
surface is registered, each built-in matcher that asks for `body` alone is swapped for one
that hands it over directly: the same function, asked the same question.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener.custom_listener import CustomListener
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher


class BodyMatcher(ListenerMatcher):
    """A built-in matcher's function, called with the request's body."""

    def __init__(self, func: Callable[..., bool]) -> None:
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(body=req.body))


def match_on_body(app: App) -> int:
    """Swap each built-in matcher of `app`'s listeners that asks only for `body` for a
    BodyMatcher of the same function; returns how many were swapped."""
    swapped = 0
    # Bolt keeps its listeners here and offers no public way to them (slack-bolt 1.x).
    for listener in app._listeners:
        if not isinstance(listener, CustomListener):
            continue
        matchers = list(listener.matchers)
        for index, matcher in enumerate(matchers):
            if type(matcher) is BuiltinListenerMatcher and matcher.arg_names == ["body"]:
                matchers[index] = BodyMatcher(matcher.func)
                swapped += 1
        listener.matchers = matchers
    return swapped
