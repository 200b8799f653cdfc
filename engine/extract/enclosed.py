"""What a container holds: the attachments of a mail, the members of an archive (issue #25).

A container's reader finds what it encloses and hands over each item's bytes with its name and its
place in words ("attached to 'Re: Lease renewal' from A. Ortiz, 14 Feb 2025"); it never reads them.
The dispatcher (engine.extract.members) reads each with the reader for its own type, as a file of
that type is read, and returns them as Members: own passages, own kind, own problems.
Items are produced one at a time, so only one member's bytes are in memory at once.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = "//"  # between a container's path and a path inside it: never in a path the folder scan gives


@dataclass(frozen=True)
class Enclosed:
    """One item found in a container: its bytes, or why they are not read (`refusal`)."""

    name: str  # its path inside the container ("docs/contract.pdf", "contract-signed.pdf")
    data: bytes | None
    location: str | None = None  # where it sits, in words, for a result to say
    refusal: str | None = None  # set when the container's reader refused it (a bomb, an encrypted member)
    size: int = 0  # its size as the container declares it


def member_path(container: str, inner: str) -> str:
    """The path a member is indexed under: "/cases/lease-2025.msg//contract-signed.pdf"."""
    return f"{container}{SEPARATOR}{inner}"


def split_member_path(path: str) -> tuple[str, str | None]:
    """(the file on disk, the path inside it or None): the inverse of member_path."""
    container, separator, inner = path.partition(SEPARATOR)
    return (container, inner) if separator else (path, None)


def unsafe_name(name: str) -> bool:
    """A member name that points outside its archive ("../../.bashrc", "/etc/passwd", "C:\\x"): refused.

    Cairn never writes members where their names say, but such a name is the mark of a hostile archive,
    and opening it for a preview must not be able to land anywhere but in Cairn's own private folder."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":") or "\x00" in name
