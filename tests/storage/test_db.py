"""URL normalisation and the COPY writer."""

import pytest
import sqlalchemy as sa

from pelican_dagster.storage.db import copy_rows, libpq_url, normalise_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg2://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        (
            "  postgresql://postgres:@/pelican?host=/tmp/x ",
            "postgresql+psycopg2://postgres:@/pelican?host=/tmp/x",
        ),
    ],
)
def test_normalise_url(given, expected):
    assert normalise_url(given) == expected


def test_libpq_url_drops_the_driver():
    assert libpq_url("postgresql+psycopg2://u@h/db") == "postgresql://u@h/db"


ODD = [
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash \\N \\x00",
    "",
    "ünïcødé ✓ 𝄞",
    "x" * 100_000,
]


def test_copy_rows_round_trips_odd_values(results_engine):
    with results_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (i int, s text, b bytea, f boolean) ON COMMIT DROP")
        rows = [(i, s, s.encode(), i % 2 == 0) for i, s in enumerate(ODD)]
        rows.append((len(ODD), None, None, None))
        assert copy_rows(conn, "t", ("i", "s", "b", "f"), iter(rows)) == len(rows)
        got = conn.execute(sa.text("SELECT i, s, b, f FROM t ORDER BY i")).all()
    assert [(i, s, bytes(b) if b is not None else None, f) for i, s, b, f in got] == rows


def test_copy_rows_streams_many_batches(results_engine):
    with results_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (i int) ON COMMIT DROP")
        assert copy_rows(conn, "t", ("i",), ((i,) for i in range(5001))) == 5001
        assert conn.execute(sa.text("SELECT count(*), sum(i) FROM t")).one() == (5001, sum(range(5001)))
