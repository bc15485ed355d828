"""Compare the tables of two warehouse files, row for row.

A restructuring must leave every mart as it was. Build the demo (or any run) before and after
the change, then:

    uv run python -m bench.compare_marts BEFORE.duckdb AFTER.duckdb [--schemas marts,intermediate]

Columns that record when a run happened (_refreshed_at, _loaded_at, ...) are left out; every
other column is compared as a multiset of rows (EXCEPT ALL both ways), doubles to 7 significant
digits (their sums depend on the order they are added in). Tables present on one
side only are listed. Exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

RUN_TIME_COLUMNS = {"_refreshed_at", "_loaded_at", "_sessionized_at", "_changed_at", "dbt_updated_at"}
DEFAULT_SCHEMAS = ("marts", "intermediate", "staging", "snapshots")


Columns = list[tuple[str, str]]


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> dict[str, Columns]:
    rows = con.execute(
        """
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ? and table_schema in (select unnest(?::varchar[]))
        order by table_schema, table_name, ordinal_position
        """,
        [catalog, list(schemas)],
    ).fetchall()
    tables: dict[str, Columns] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _compared(column: str, data_type: str, digits: int = 7) -> str:
    # Sums of doubles depend on the order the engine adds them in: compare to 7 significant digits,
    # and differences of such sums (within 1e-9 of zero) as zero.
    if data_type in ("DOUBLE", "FLOAT"):
        return (
            f'case when abs("{column}") < 1e-9 then 0'
            f' else round("{column}", {digits - 1} - cast(floor(log10(abs("{column}"))) as int)) end'
        )
    return f'"{column}"'


def _differing_rows(con: duckdb.DuckDBPyConnection, table: str, columns: Columns) -> list[int]:
    """Rows of each side the other lacks. A value rounded to 7 digits can fall either side of a
    rounding boundary, so the rows left over are compared again at 4 significant digits."""
    leftovers = []
    for first, second in (("before_db", "after_db"), ("after_db", "before_db")):
        selected = ", ".join(_compared(c, t) for c, t in columns)
        leftovers.append(
            f"select * from (select {selected} from {first}.{table}"
            f" except all select {selected} from {second}.{table})"
        )
    names = [f"col{i}" for i in range(len(columns))]
    coarse = ", ".join(
        _compared(name, data_type, digits=4) for name, (_, data_type) in zip(names, columns, strict=True)
    )
    aliased = [f"select {coarse} from ({query}) as rows({', '.join(names)})" for query in leftovers]
    return [
        con.execute(f"select count(*) from ({aliased[0]} except all {aliased[1]})").fetchone()[0],
        con.execute(f"select count(*) from ({aliased[1]} except all {aliased[0]})").fetchone()[0],
    ]


def compare(before: str, after: str, schemas: tuple[str, ...]) -> list[str]:
    """Differences between the two files, one line each (empty when identical)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{before}' as before_db (read_only)")
        con.execute(f"attach '{after}' as after_db (read_only)")
        old = _tables(con, "before_db", schemas)
        new = _tables(con, "after_db", schemas)
        problems = [f"only before: {t}" for t in sorted(old.keys() - new.keys())]
        problems += [f"only after: {t}" for t in sorted(new.keys() - old.keys())]
        for table in sorted(old.keys() & new.keys()):
            if set(old[table]) != set(new[table]):
                problems.append(
                    f"{table}: columns differ (before only {sorted(set(old[table]) - set(new[table]))},"
                    f" after only {sorted(set(new[table]) - set(old[table]))})"
                )
                continue
            counts = _differing_rows(con, table, [(c, t) for c, t in old[table] if c not in RUN_TIME_COLUMNS])
            if any(counts):
                problems.append(f"{table}: {counts[0]} rows only before, {counts[1]} rows only after")
        print(f"compared {len(old.keys() & new.keys())} tables in {', '.join(schemas)}")
        return problems
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--schemas", default=",".join(DEFAULT_SCHEMAS))
    args = parser.parse_args(argv)
    problems = compare(args.before, args.after, tuple(args.schemas.split(",")))
    for line in problems:
        print(line)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
