"""The sha256 of the bytes a scan read from a file, and whether it read them to the end.

A count made of one file holds for another (the copy a job keeps) when the count read the whole
file and its bytes hash as the copy's do (readers/count_ahead.py): the hash is taken of the very
bytes the count read, so a file that changes while it is read cannot make a count that looks
like the copy's.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

BUFFER = 1 << 20


class ReadDigest:
    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.complete = False  # the scan read up to the end of the file

    def open(self, path: str) -> io.BufferedReader:
        """``path`` opened for reading in binary; every byte read from it is hashed here."""
        return io.BufferedReader(_Hashing(open(path, "rb", buffering=0), self), BUFFER)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def _read(self, data: Any) -> None:
        if data:
            self._sha.update(data)
            self.size += len(data)
        else:
            self.complete = True


class _Hashing(io.RawIOBase):
    def __init__(self, raw: io.FileIO, digest: ReadDigest) -> None:
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        if n is not None and len(buffer):
            self._digest._read(memoryview(buffer)[:n])
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()
