{#-
    Paths to conversion (contract §4): per session, the page types of its page views before its
    first purchase event (the whole session when there is none), leaving out outcome pages (page
    types flagged `is_outcome` in the page_types seed, e.g. order confirmation: what happens
    because of a conversion never explains it), repeats of the same type in a row collapsed
    ("product > product > cart" reads "product > cart"), the FIRST `steps` kept (how the journey
    began), joined with " > ". Returns a select of (session_id, conversion_path); sessions
    without such a page view have no row.

    `events` is the sessionized events (a relation or CTE name); `sessions` has session_id and
    first_purchase_event_number.
-#}
{% macro conversion_paths(events, sessions, steps) -%}
    {{ return(adapter.dispatch('conversion_paths', 'engagement_warehouse')(events, sessions, steps)) }}
{%- endmacro %}

{#- Any engine: two windows over the page views (the previous page type, then the position from
    the start). -#}
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
        {{ dbt.listagg('page_type', "' > '", 'order by event_number') }} as conversion_path
    from path_steps
    where step_number <= {{ steps }}
    group by session_id
{% endmacro %}

{#- DuckDB: one aggregation of each session's page types into an ordered list, then list
    functions, instead of two sorts of every page view by session. Both versions give the same
    paths (tests/test_pipeline.py::test_portable_conversion_paths_agree_with_duckdbs). -#}
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

{#- Both versions read the same rows: the page views before the session's first purchase, but
    those of outcome pages. -#}
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

{#- The page types the page_types seed flags as outcomes, read when the model runs (written into
    the SQL as constants, like the page-type rules themselves: macros/seed_rules.sql). -#}
{% macro outcome_page_types() %}
    {%- set outcomes = [] %}
    {%- for row in _seed_rows('page_types', ['page_type', 'is_outcome']) if row[1] %}
        {%- if row[0] not in outcomes %}{% do outcomes.append(row[0]) %}{% endif %}
    {%- endfor %}
    {{ return(outcomes) }}
{% endmacro %}
