{#- Paths to conversion (contract §4; fct_sessions.conversion_path in the docs): a select of
    (session_id, conversion_path) from the sessionized `events` (a relation or CTE name) and
    `sessions` (session_id, first_purchase_event_number); sessions without a page view on the
    path have no row. -#}
{% macro conversion_paths(events, sessions, steps) -%}
    {{ return(adapter.dispatch('conversion_paths', 'engagement_warehouse')(events, sessions, steps)) }}
{%- endmacro %}

{#- Any engine: two windows over the page views (the previous page type, then the position). -#}
{% macro default__conversion_paths(events, sessions, steps) %}
    with path_page_views as (
        select
            path_events.session_id,
            path_events.event_number,
            path_events.page_type,
            lag(path_events.page_type) over (
                partition by path_events.session_id order by path_events.event_number
            ) as previous_page_type
        {{ conversion_path_page_views(events, sessions) }}
    ),

    path_steps as (
        select
            session_id,
            event_number,
            page_type,
            row_number() over (partition by session_id order by event_number) as step_number
        from path_page_views
        where previous_page_type is null or previous_page_type <> page_type
    )

    select
        session_id,
        {{ ordered_listagg('page_type', "' > '", 'event_number') }} as conversion_path
    from path_steps
    where step_number <= {{ steps }}
    group by session_id
{% endmacro %}

{#- DuckDB: one ordered list per session and list functions, instead of two sorts of every page
    view (same paths: tests/test_pipeline.py::test_portable_conversion_paths_agree_with_duckdbs).
    sqlfluff cannot parse its lambda, so the call is marked `-- noqa: PRS`. -#}
{% macro duckdb__conversion_paths(events, sessions, steps) %}
    select
        session_id,
        array_to_string(
            list_slice(
                list_filter(page_types, lambda page_type, i: i = 1 or page_type <> page_types[i - 1]),
                1,
                {{ steps }}
            ),
            ' > '
        ) as conversion_path
    from (
        select
            path_events.session_id,
            list(path_events.page_type order by path_events.event_number) as page_types
        {{ conversion_path_page_views(events, sessions) }}
        group by path_events.session_id
    ) as session_page_types
{% endmacro %}

{#- Both read the page views before the session's first purchase, outcome pages left out (what
    happens because of a conversion never explains it). -#}
{% macro conversion_path_page_views(events, sessions) -%}
    from {{ events }} as path_events
        inner join {{ sessions }} as path_sessions
            on path_events.session_id = path_sessions.session_id
        where
            path_events.event_type = 'page_view'
            and (
                path_sessions.first_purchase_event_number is null
                or path_events.event_number < path_sessions.first_purchase_event_number
            )
            {%- set outcomes = outcome_page_types() %}
            {%- if outcomes %}
            and path_events.page_type not in (
                {%- for page_type in outcomes %}{{ _sql_string(page_type) }}{{ ', ' if not loop.last }}{% endfor -%}
            )
            {%- endif %}
{%- endmacro %}

{#- The page types the page_types seed flags as outcomes, written into the SQL as constants
    (like the rules of macros/seed_rules.sql). -#}
{% macro outcome_page_types() %}
    {%- set outcomes = [] %}
    {%- for row in _seed_rows('page_types', ['page_type', 'is_outcome']) if row[1] %}
        {%- if row[0] not in outcomes %}{% do outcomes.append(row[0]) %}{% endif %}
    {%- endfor %}
    {{ return(outcomes) }}
{% endmacro %}
