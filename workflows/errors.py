"""What can go wrong in the PMO's rules, in words a person can act on.

The Slack layer turns each of these into an ephemeral reply or an inline modal error;
workflows raise them and never format Slack messages themselves.
"""

from __future__ import annotations

from workflows.markup import quoted


class PmoError(Exception):
    """A request the PMO's rules refuse; `str(error)` is the sentence shown to the person."""


class UnknownProject(PmoError):
    """No project in this workspace has the given key."""

    def __init__(self, key: str, suggestions: list[str]) -> None:
        self.key = key
        self.suggestions = suggestions
        message = f"There is no project `{quoted(key)}` in this workspace."
        if suggestions:
            message += " Did you mean " + " or ".join(f"`{quoted(s)}`" for s in suggestions) + "?"
        else:
            message += " `/pmo list` shows the projects there are."
        super().__init__(message)


class UnknownGoal(PmoError):
    """No goal in this workspace has the given key."""

    def __init__(self, key: str, suggestions: list[str]) -> None:
        self.key = key
        self.suggestions = suggestions
        message = f"There is no goal `{quoted(key)}` in this workspace."
        if suggestions:
            message += " Did you mean " + " or ".join(f"`{quoted(s)}`" for s in suggestions) + "?"
        else:
            message += " `/goal list` shows the goals there are."
        super().__init__(message)


class NoProjectHere(PmoError):
    """A command needs a project key and the channel is no project's home."""

    def __init__(self, usage: str) -> None:
        super().__init__(
            f"Which project? This channel is not a project's home channel, so give its key: "
            f"`{usage}`."
        )


class NotPermitted(PmoError):
    """The person may not do this; the message says who may."""


class InvalidInput(PmoError):
    """Some fields are wrong; `errors` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def too_long(what: str, text: str, limit: int) -> str | None:
    """`The summary can be at most 3,000 characters; yours has 3,120.`, or None when the
    text (as it will be stored, stripped) is within `limit`."""
    length = len(text.strip())
    if length <= limit:
        return None
    return f"{what} can be at most {limit:,} characters; yours has {length:,}."
