"""The replay clock: wall time mapped onto a historical start time, at ×1 or faster.

``replay_ms = start_ms + (wall − wall_origin) · speed``. The server reads it on every request;
a bot launched at wall time ``w`` is given the same clock through libfaketime as the
start-at spec ``"@<replay time at w> x<speed>"`` (``faketime_spec``), so both agree from then on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from freqtrade.util.datetime_helpers import dt_from_ts


@dataclass(frozen=True)
class ReplayClock:
    """Historical ``start_ms`` at wall time ``wall_origin`` (seconds), advancing ``speed``× wall."""

    start_ms: int
    speed: float
    wall_origin: float

    def __post_init__(self) -> None:
        if not self.speed >= 1:
            raise ValueError(f"replay speed must be >= 1, got {self.speed!r}")

    @classmethod
    def starting_now(cls, start: datetime, speed: float) -> ReplayClock:
        """A clock at ``start`` (UTC) now."""
        return cls(int(start.astimezone(UTC).timestamp() * 1000), float(speed), time.time())

    def now_ms(self, wall: float | None = None) -> int:
        """Replay time in ms at wall time ``wall`` (default: now)."""
        wall = time.time() if wall is None else wall
        return self.start_ms + int((wall - self.wall_origin) * self.speed * 1000)

    def now(self, wall: float | None = None) -> datetime:
        """Replay time as an aware UTC datetime."""
        return dt_from_ts(self.now_ms(wall))

    def faketime_spec(self, wall: float | None = None) -> str:
        """libfaketime's ``FAKETIME`` value for a process started at ``wall``: start-at + speed."""
        at = self.now(wall)
        spec = f"@{at:%Y-%m-%d %H:%M:%S}"
        return spec if self.speed == 1 else f"{spec} x{self.speed:g}"
