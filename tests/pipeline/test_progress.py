"""Progress lines: counts and rates from an injected clock (no wall-clock assertion)."""

import pytest

from pelican_dagster.pipeline.progress import Progress


@pytest.mark.parametrize(
    ("ticks", "total", "expected"),
    [
        ([1.0] * 10, 10, ["export: 5 / 10 items, 1 items/s", "export: 10 / 10 items, 1 items/s"]),
        ([0.001] * 4000, None, ["export: 4,000 items, 1,000 items/s"]),
    ],
)
def test_lines_every_five_seconds_and_at_the_end(ticks, total, expected):
    now = [0.0]
    lines: list[str] = []
    progress = Progress("export", total, lines.append, clock=lambda: now[0])
    for step in ticks:
        now[0] += step
        progress.tick()
    if len(ticks) == 4000:
        assert lines == []  # 4 s: no line yet
    progress.finish()
    assert lines == expected
