"""Read what a container encloses, each item by the reader for its own type (issue #25).

Called by the dispatcher in the reader process, after the container's own text is read. Every
member is bounded as a file is (the size limit, the time of the container), and the container as
a whole by MAX_CONTAINER_BYTES, MAX_MEMBERS and MAX_NESTING, so zip bombs, nesting bombs (42.zip)
and archives of a million empty files end in refusals for the members concerned, while the members
read before are kept. A member that cannot be read is a Member with the reason, never an exception:
its siblings go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from engine.errors import ExtractionError, UnsupportedFile
from engine.extract.document import Document, Member
from engine.extract.enclosed import SEPARATOR, Enclosed
from engine.extract.kinds import kind_for
from engine.extract.limits import MAX_CONTAINER_BYTES, MAX_MEMBERS, MAX_NESTING, past

# Reads one item's bytes under its name: the dispatcher's own reading, by type and content.
Read = Callable[[str, bytes], Document]
# The items a container of a kind encloses, from its bytes, each no larger than the size limit.
Enclose = Callable[[str, bytes, int], Iterator[Enclosed]]

NESTED_TOO_DEEP = f"a container nested more than {MAX_NESTING} deep: not opened (a nesting bomb?)"
OUT_OF_TIME = "not read in the time allowed for its container"


@dataclass
class _Budget:
    """What one top-level container may still cost, shared by everything nested in it."""

    bytes_left: int = MAX_CONTAINER_BYTES
    members_left: int = MAX_MEMBERS


def read_members(kind: str, data: bytes, read: Read, enclose: Enclose, max_bytes: int,
                 deadline: float | None) -> tuple[Member, ...]:
    """The members of a container of `kind` (flattened: a zip's zip's PDF is one of them)."""
    return tuple(_members(kind, data, "", None, 1, _Budget(), read, enclose, max_bytes, deadline))


def _members(kind: str, data: bytes, prefix: str, outer: str | None, depth: int, budget: _Budget, read: Read,
             enclose: Enclose, max_bytes: int, deadline: float | None) -> Iterator[Member]:
    """`outer`: the place of the container these are in, for items that have none of their own."""
    items = enclose(kind, data, max_bytes)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except ExtractionError as exc:  # the container's listing failed part way: what was found is kept
            yield Member(prefix + "(the rest)", "error", 0, error=str(exc), location=outer)
            return
        inner = prefix + item.name
        item = item if item.location or not outer else replace(item, location=outer)
        refusal = item.refusal or _over_budget(item, budget, deadline)
        if refusal:
            yield Member(inner, "error", item.size, error=refusal, location=item.location)
            continue
        assert item.data is not None
        budget.bytes_left -= len(item.data)
        budget.members_left -= 1
        member = _read_one(inner, item, read)
        yield member
        inner_kind = kind_for(PurePosixPath(item.name))
        if member.status == "indexed" and inner_kind in CONTAINERS:
            if depth >= MAX_NESTING:
                yield Member(inner + SEPARATOR + "*", "error", 0, error=NESTED_TOO_DEEP, location=item.location)
                continue
            yield from _members(inner_kind, item.data, inner + SEPARATOR, _within(item), depth + 1, budget, read,
                                enclose, max_bytes, deadline)


def _within(item: Enclosed) -> str:
    """The place of a nested container's members: in the attachment, in the mail it came with."""
    return f"in {PurePosixPath(item.name).name}" + (f", {item.location}" if item.location else "")


def _over_budget(item: Enclosed, budget: _Budget, deadline: float | None) -> str | None:
    if past(deadline):
        return OUT_OF_TIME
    if budget.members_left <= 0:
        return f"not read: its container holds more than {MAX_MEMBERS} files"
    if item.data is not None and len(item.data) > budget.bytes_left:
        return "not read: its container's contents add up to more than Cairn reads from one file"
    return None


def _read_one(inner: str, item: Enclosed, read: Read) -> Member:
    assert item.data is not None
    try:
        document = read(item.name, item.data)
    except UnsupportedFile as exc:
        return Member(inner, "skipped", len(item.data), error=str(exc), location=item.location)
    except ExtractionError as exc:
        return Member(inner, "error", len(item.data), error=str(exc), location=item.location)
    except MemoryError:
        return Member(inner, "error", len(item.data), error="needs more memory than Cairn allows for one file",
                      location=item.location)
    except RecursionError:
        return Member(inner, "error", len(item.data), error="structure nested too deeply to read",
                      location=item.location)
    except Exception as exc:  # a parser bug on a strange member: its kind, never its content
        return Member(inner, "error", len(item.data), error=f"could not be read ({type(exc).__name__})",
                      location=item.location)
    status = "indexed" if document.text.strip() else "empty"
    return Member(inner, status, len(item.data), document=document, location=item.location,
                  error=None if status == "indexed" else "no text found")


# Kinds whose files enclose others.
CONTAINERS = frozenset({"email", "msg", "mbox", "archive"})
