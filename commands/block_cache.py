"""Block Kit built once: a piece of a view or message that depends only on a few values is
validated and serialised the first time it is asked for, and copied after.

slack_sdk checks every field of every object each time `to_dict` runs; for a form of eight
selects of four options each, that is most of the CPU a request costs. A piece that reads
the same for the same arguments (a RAG select with its initial colour, the help text) need
not be checked again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache, wraps
from typing import Any, ParamSpec

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

P = ParamSpec("P")

# Slack's limit on blocks in a view (View.to_dict checks it when it builds the blocks).
VIEW_BLOCKS_MAX = 100


def built_once(factory: Callable[P, Block]) -> Callable[P, dict[str, Any]]:
    """Wrap a block factory whose result depends only on its (hashable) arguments: the
    block is built and checked once per arguments; each call answers a fresh copy of its
    dict, which the caller may change."""
    return _once(factory, lambda block: block.to_dict())


def blocks_built_once(factory: Callable[P, Sequence[Block]]) -> Callable[P, list[dict[str, Any]]]:
    """`built_once` for a factory of several blocks (a whole message)."""
    return _once(factory, lambda blocks: [block.to_dict() for block in blocks])


def _once(factory: Callable[P, Any], serialise: Callable[[Any], Any]) -> Callable[P, Any]:
    @lru_cache(maxsize=512)
    def serialised(*args: Hashable, **kwargs: Hashable) -> str:
        return json.dumps(serialise(factory(*args, **kwargs)))  # type: ignore[arg-type]

    @wraps(factory)
    def copy(*args: P.args, **kwargs: P.kwargs) -> Any:
        return json.loads(serialised(*args, **kwargs))

    return copy


def view_dict(
    blocks: Sequence[Block | dict[str, Any]],
    *,
    private_metadata: str | None = None,
    **fields: Hashable,
) -> dict[str, Any]:
    """A view (`fields` as for slack_sdk's View: type, callback_id, title…) as a dict with
    `blocks` and `private_metadata`: models are serialised here, dicts (from `built_once`)
    are taken as they are, and the view's own fields are checked once."""
    if not 0 < len(blocks) <= VIEW_BLOCKS_MAX:
        raise ValueError(f"a view holds 1 to {VIEW_BLOCKS_MAX} blocks, not {len(blocks)}")
    if private_metadata and len(private_metadata) > View.private_metadata_max_length:
        raise ValueError(
            f"private_metadata holds at most {View.private_metadata_max_length} characters"
        )
    built = _view_shell(**fields)
    if private_metadata:
        built["private_metadata"] = private_metadata
    built["blocks"] = [block if isinstance(block, dict) else block.to_dict() for block in blocks]
    return built


@built_once
def _view_shell(**fields: Any) -> View:
    # The view's own fields, checked with one stand-in block (a view holds at least one).
    return View(blocks=[DividerBlock()], **fields)


def with_initial_value(block: dict[str, Any], value: str | None) -> dict[str, Any]:
    """An input block (from `built_once`) whose element shows `value`; none when empty."""
    if value:
        block["element"]["initial_value"] = value
    return block
