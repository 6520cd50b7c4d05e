"""Readable streams that generate their content, so tests and benchmarks hold no large buffers."""

from __future__ import annotations

import hashlib
import io


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeating pseudo-random block, produced on demand."""

    def __init__(self, size: int, seed: bytes = b"casetrail") -> None:
        self.size = size
        self.position = 0
        block = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(2048))
        self.block = block  # 64 KiB

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        remaining = self.size - self.position
        count = min(len(buffer), remaining)
        offset = self.position % len(self.block)
        filled = 0
        while filled < count:
            piece = self.block[offset : offset + count - filled]
            buffer[filled : filled + len(piece)] = piece
            filled += len(piece)
            offset = 0
        self.position += count
        return count


def pattern_sha256(size: int, seed: bytes = b"casetrail") -> str:
    stream = PatternStream(size, seed)
    digest = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()
