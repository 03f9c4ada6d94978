"""Identifiers in the service's formats: 32 lower-case hex resource ids, upper-case UUID request ids."""

from __future__ import annotations

import random
import uuid


class IdGenerator:
    """Random ids; with a seed, the same sequence on every run (deterministic mode).

    Unseeded, a PRNG seeded once from the OS (not a system call per id: ids are made on every
    request); JobIds and other stored ids are still checked against the store before use.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        self._random = random.Random(seed)  # seed None: from os.urandom

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self._random.getrandbits(128), version=4)

    def resource_id(self) -> str:
        """A JobId, VideoId, template id …: 32 lower-case hex characters."""
        return self._uuid().hex

    def request_id(self) -> str:
        """A RequestId: upper-case UUID."""
        return str(self._uuid()).upper()

    def trace_id(self) -> str:
        return self._uuid().hex
