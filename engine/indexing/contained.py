"""A container's sub-documents go through the pass as files of their own (issue #25).

The reader thread puts the container first (its row must exist before theirs), then one item per
member, then a seal: the container is written with an impossible timestamp and gets its real one
only once every member is written (Store.seal_container). A pass killed in between reads the
container again on the next pass; members already written keep their vectors (the pass looks them
up by path), so only what was not finished is embedded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Protocol, TypeVar

from engine.extract.document import Member
from engine.store import FileOutcome

UNSEALED = -1  # the mtime_ns of a container whose members are not all written: never a real one


class Item(Protocol):
    outcome: FileOutcome
    members: tuple[Member, ...]
    seal: int | None


_T = TypeVar("_T", bound=Item)


def with_members(item: _T, member_item: Callable[[FileOutcome, Member], _T]) -> Iterator[_T]:
    """`item`, then each of its members, then the seal that gives the container its timestamp."""
    if item.outcome.members is None:  # not a container, or one that could not be read (it holds nothing now)
        yield item
        return
    real = item.outcome
    item.outcome = replace(real, mtime_ns=UNSEALED)  # its members listed: the others go as it is written
    yield item
    for member in item.members:
        yield member_item(real, member)
    item.members = ()
    yield sealed(real, member_item)


def sealed(container: FileOutcome, member_item: Callable[[FileOutcome, Member], _T]) -> _T:
    """The mark that gives `container` its real timestamp once all before it is written; `container.members`,
    if set, is all it holds now (the rest is deleted then)."""
    seal = member_item(container, Member("", "empty", 0))
    seal.outcome, seal.seal = container, container.mtime_ns
    return seal
