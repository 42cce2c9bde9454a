"""The zygote's record format: the one definition both ends use.

The zygote (`zygote`) reports to the grading parent (`zygote_handle.Zygote`) over a
socketpair in fixed-size records of (kind, pid, value):

- `READY`: torch is imported, forks can start (pid: the zygote; value: `SUBREAPER` set when
  it could become a child subreaper);
- `FORKED`: a new grading child (pid: the child);
- `EXITED`: a grading child exited (pid: the child; value: its wait status) — sent only
  after every process the child left behind has been killed;
- `STRAY`: a process left behind was killed (pid: that process; value: the grading child it
  is blamed on, 0 when several ran at once).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

#: The parent's request to fork (sent with `socket.send_fds`, the child's three pipe ends).
FORK = b"F"

READY = b"R"
FORKED = b"P"
EXITED = b"X"
STRAY = b"D"
KINDS = (READY, FORKED, EXITED, STRAY)

#: Bit of a READY record's value: the zygote is a child subreaper.
SUBREAPER = 1

_RECORD = struct.Struct(">cqq")
SIZE = _RECORD.size


class Record(NamedTuple):
    """One record: its kind (one of `KINDS`), a pid and a value."""

    kind: bytes
    pid: int
    value: int


def encode(kind: bytes, pid: int, value: int) -> bytes:
    """The bytes of one record."""
    if kind not in KINDS:
        raise ValueError(f"unknown zygote record kind {kind!r}")
    return _RECORD.pack(kind, pid, value)


class Reader:
    """Splits the zygote's byte stream into records (a read may end mid-record)."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[Record]:
        """The records completed by `chunk`, in order."""
        self._buffer += chunk
        whole = len(self._buffer) - len(self._buffer) % SIZE
        records = [Record(*fields) for fields in _RECORD.iter_unpack(self._buffer[:whole])]
        self._buffer = self._buffer[whole:]
        return records
