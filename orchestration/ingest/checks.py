"""The checks of contract §2 as DuckDB SQL: type every field of the staged records and name
every broken rule, so a record is loaded or rejected with its reasons in one set-based query.

The columns and allowed values come from the contract (`contract.py`); the order of the rules
is the order of the reasons in a reject.
"""

from __future__ import annotations

from orchestration.ingest.contract import CONTRACT, EVENTS, ISO_4217, ORDER_STATUSES, SURVEY_SCALES

# The event members that arrive as text (the rest, `properties`, is JSON).
EVENT_FIELDS = [c.name for c in EVENTS.columns if c.type != "json"]

# DuckDB reserves these words: a column of that name is quoted in SQL.
RESERVED_WORDS = frozenset({"trigger"})


def sql_name(column: str) -> str:
    return f'"{column}"' if column in RESERVED_WORDS else column


# --- SQL building blocks --------------------------------------------------------------------------


def _text(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _ts(expr: str) -> str:
    # Strings without an offset are read as UTC (the connection's time zone is set to UTC).
    return f"(try_cast({expr} as timestamptz) at time zone 'UTC')"


def _rule(condition: str, reason: str) -> str:
    return f"case when {condition} then {reason} end"


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(quote_literal(v) for v in sorted(values))


def _required(column: str) -> str:
    return _rule(f"{column} is null", f"'missing required field {column}'")


def _unparsable(raw: str, typed: str, what: str) -> str:
    return _rule(f"{raw} is not null and {typed} is null", f"'unparsable {what}: ' || {raw}")


def _integer(expr: str) -> str:
    # Accept "3" and "3.0" but not "3.5": a count or score with a fraction is a broken value.
    return (
        f"case when try_cast({expr} as double) = floor(try_cast({expr} as double)) "
        f"then try_cast(try_cast({expr} as double) as bigint) end"
    )


def _non_negative(column: str) -> str:
    return _rule(f"{column} < 0", f"'negative {column}: ' || cast({column} as varchar)")


def _boolean(expr: str) -> str:
    return (
        f"case lower(trim({expr})) when 'true' then true when 't' then true when '1' then true "
        f"when 'yes' then true when 'y' then true when 'false' then false when 'f' then false "
        f"when '0' then false when 'no' then false when 'n' then false end"
    )


def _reason(rules: list[str]) -> str:
    # A record that could not be framed (short row, bad bytes) gets that one reason; its fields
    # are not meaningful enough to list more.
    return "coalesce(_frame_error, nullif(concat_ws('; ', " + ", ".join(rules) + "), ''))"


def _events_sql() -> str:
    # Each line is parsed twice, not once per field: json_valid, then json_transform into a struct
    # of every contract field (values of other JSON types arrive as their JSON text, as
    # json_extract_string gives them). A valid line whose first character is "{" is an object, so
    # json_type is asked only of the rare lines that are valid JSON of another kind.
    # Text members are read as text (and typed below, so a bad value is a reject, not an error).
    members = [f'"{c.name}": "{"JSON" if c.type == "json" else "VARCHAR"}"' for c in EVENTS.columns]
    shape = "{" + ", ".join(members) + "}"
    typed_fields = []
    for name in EVENT_FIELDS:
        if name == "occurred_at":
            typed_fields.append(f"{_ts('_v.occurred_at')} as occurred_at")
            typed_fields.append("_v.occurred_at as _occurred_at_text")
        else:
            typed_fields.append(f"{_text(f'_v.{name}')} as {name}")
    offset_pattern = r"(Z|z|[+-]\d{2}(:?\d{2})?)$"
    rules = [
        _rule("not _is_json", "'invalid JSON'"),
        _rule(
            "_is_json and _json_type <> 'OBJECT'",
            "'line is a JSON ' || lower(_json_type) || ', not an object'",
        ),
        *[
            _rule(f"_json_type = 'OBJECT' and {c} is null", f"'missing required field {c}'")
            for c in ("event_id", "event_type", "anonymous_id")
        ],
        _rule("_json_type = 'OBJECT' and _occurred_at_text is null", "'missing required field occurred_at'"),
        _unparsable("_occurred_at_text", "occurred_at", "occurred_at"),
        _rule(
            f"occurred_at is not null and not regexp_matches(trim(_occurred_at_text), '{offset_pattern}')",
            "'occurred_at has no UTC offset: ' || _occurred_at_text",
        ),
        _rule(
            "properties is not null and json_type(properties) <> 'OBJECT'",
            "'properties is not a JSON object'",
        ),
    ]
    columns = ", ".join(EVENT_FIELDS)
    return f"""
        with framed_json as (
            select *, _frame_error is null and json_valid(_raw_text) as _is_json from framed
        ),
        objects as (
            select
                *,
                case
                    when not _is_json then null
                    when starts_with(ltrim(_raw_text, ' \t'), '{{') then 'OBJECT'
                    else json_type(_raw_text)
                end as _json_type
            from framed_json
        ),
        extracted as (
            select *, case when _json_type = 'OBJECT' then json_transform(_raw_text, '{shape}') end as _v
            from objects
        ),
        typed as (
            select
                _source_file, _line_number, _raw_text, _frame_error, _is_json, _json_type,
                {", ".join(typed_fields)},
                case when json_type(_v.properties) <> 'NULL' then _v.properties end as properties
            from extracted
        )
        select _source_file, _line_number, _raw_text, {columns}, properties, {_reason(rules)} as _reason
        from typed
    """


def _csv_sql(source: str) -> str:
    """Typing and rule checks of one CSV source; returns the columns of raw.<source> plus _reason."""
    if source == "orders":
        typed = f"""
            {_text("order_id")} as order_id,
            {_ts("ordered_at")} as ordered_at, ordered_at as _ordered_at_text,
            {_ts("updated_at")} as updated_at, updated_at as _updated_at_text,
            {_text("customer_id")} as customer_id,
            lower({_text("status")}) as status,
            lower({_text("sales_channel")}) as sales_channel,
            upper({_text("currency")}) as currency,
            {_integer("line_number")} as line_number, line_number as _line_number_text,
            {_text("product_id")} as product_id,
            {_text("product_category")} as product_category,
            {_integer("quantity")} as quantity, quantity as _quantity_text,
            try_cast(trim(unit_price) as decimal(18, 4)) as unit_price, unit_price as _unit_price_text,
            try_cast(trim(line_discount) as decimal(18, 4)) as line_discount,
            line_discount as _line_discount_text,
            {_text("coupon_code")} as coupon_code
        """
        rules = [
            _required("order_id"),
            _rule("_ordered_at_text is null", "'missing required field ordered_at'"),
            _unparsable("_ordered_at_text", "ordered_at", "ordered_at"),
            _rule("_updated_at_text is null", "'missing required field updated_at'"),
            _unparsable("_updated_at_text", "updated_at", "updated_at"),
            _required("status"),
            _rule(f"status not in ({_in_list(ORDER_STATUSES)})", "'unknown status: ' || status"),
            _required("currency"),
            _rule(f"currency not in ({_in_list(ISO_4217)})", "'unknown currency: ' || currency"),
            _rule("_line_number_text is null", "'missing required field line_number'"),
            _unparsable("_line_number_text", "line_number", "line_number"),
            _rule("line_number < 1", "'line_number must be 1 or more'"),
            _rule("_quantity_text is null", "'missing required field quantity'"),
            _unparsable("_quantity_text", "quantity", "quantity"),
            _non_negative("quantity"),
            _rule("_unit_price_text is null", "'missing required field unit_price'"),
            _unparsable("_unit_price_text", "unit_price", "unit_price"),
            _non_negative("unit_price"),
            _unparsable("_line_discount_text", "line_discount", "line_discount"),
            _non_negative("line_discount"),
        ]
    elif source == "surveys":
        scale_checks = " or ".join(
            f"(survey_type = '{t}' and score not between {lo} and {hi})"
            for t, (lo, hi) in SURVEY_SCALES.items()
        )
        typed = f"""
            {_text("response_id")} as response_id,
            lower({_text("survey_type")}) as survey_type,
            {_text("customer_id")} as customer_id,
            {_ts("submitted_at")} as submitted_at, submitted_at as _submitted_at_text,
            {_integer("score")} as score, score as _score_text,
            lower({_text('"trigger"')}) as "trigger",
            {_text("order_id")} as order_id,
            lower({_text("channel")}) as channel,
            comment
        """
        rules = [
            _required("response_id"),
            _required("survey_type"),
            _rule(
                f"survey_type not in ({_in_list(tuple(SURVEY_SCALES))})",
                "'unknown survey_type: ' || survey_type",
            ),
            _rule("_submitted_at_text is null", "'missing required field submitted_at'"),
            _unparsable("_submitted_at_text", "submitted_at", "submitted_at"),
            _rule("_score_text is null", "'missing required field score'"),
            _unparsable("_score_text", "score", "score"),
            _rule(
                f"({scale_checks})",
                "'score ' || cast(score as varchar) || ' outside the ' || survey_type || ' scale'",
            ),
        ]
    elif source == "customers":
        typed = f"""
            {_text("customer_id")} as customer_id,
            {_text("email")} as email,
            {_ts("signed_up_at")} as signed_up_at, signed_up_at as _signed_up_at_text,
            {_ts("updated_at")} as updated_at, updated_at as _updated_at_text,
            {_integer("birth_year")} as birth_year, birth_year as _birth_year_text,
            lower({_text("gender")}) as gender,
            lower({_text("education")}) as education,
            {_text("region")} as region,
            {_text("interests")} as interests,
            {_boolean("marketing_opt_in")} as marketing_opt_in, marketing_opt_in as _opt_in_text
        """
        rules = [
            _required("customer_id"),
            _unparsable("_signed_up_at_text", "signed_up_at", "signed_up_at"),
            _rule("_updated_at_text is null", "'missing required field updated_at'"),
            _unparsable("_updated_at_text", "updated_at", "updated_at"),
            _unparsable("_birth_year_text", "birth_year", "birth_year"),
            _rule("birth_year not between 1900 and 2100", "'implausible birth_year: ' || _birth_year_text"),
            _unparsable("_opt_in_text", "marketing_opt_in", "marketing_opt_in (expected true/false)"),
        ]
    elif source == "marketing":
        counts = ("impressions", "clicks", "reach", "likes", "comments", "shares", "followers")
        typed = ",\n".join(
            [
                "try_cast(trim(date) as date) as date, date as _date_text",
                f"lower({_text('platform')}) as platform",
                f"{_text('campaign')} as campaign",
                *[f"{_integer(c)} as {c}, {c} as _{c}_text" for c in counts],
                "try_cast(trim(spend) as decimal(18, 4)) as spend, spend as _spend_text",
                f"upper({_text('currency')}) as currency",
            ]
        )
        rules = [
            _rule("_date_text is null", "'missing required field date'"),
            _unparsable("_date_text", "date", "date"),
            _required("platform"),
            _required("campaign"),
            *[_unparsable(f"_{c}_text", c, c) for c in counts],
            *[_non_negative(c) for c in counts],
            _unparsable("_spend_text", "spend", "spend"),
            _non_negative("spend"),
            _rule("spend is not null and currency is null", "'spend without a currency'"),
            _rule(f"currency not in ({_in_list(ISO_4217)})", "'unknown currency: ' || currency"),
        ]
    else:  # pragma: no cover - guarded by SOURCES
        raise ValueError(source)
    columns = ", ".join(sql_name(c) for c in CONTRACT[source].column_names)
    return f"""
        with typed as (
            select _source_file, _line_number, _raw_text, _frame_error, {typed}
            from framed
        )
        select _source_file, _line_number, _raw_text, {columns}, {_reason(rules)} as _reason
        from typed
    """


def checking_sql(source: str) -> str:
    return _events_sql() if source == "events" else _csv_sql(source)
