{#-
    Who visited in each period, by the segments of the sessions themselves and by customer: one row
    per period grain, period, segment type that a session carries (all, channel_group,
    device_type, platform, region, customer_type, session_duration_band), segment value and
    customer (null for visitors never identified), with the distinct visitors it holds.

    A visitor belongs to at most one customer (fct_sessions takes it from the identity map, one per
    visitor), so a segment's distinct visitors are the sum over its customers' rows, and the rows
    of type 'all' say who visited as whom in each period. int_kpi_distinct derives from them the
    visitors and engagement scores of every segment, the customer segments included (as the
    customers are today) without counting visitors again.

    Incremental by period: a run restates the periods of each grain that contain a day of
    re-sessionized events (kpi_touched_days_sql with sessions_only; orders and surveys do not move
    a session's segments); nothing here depends on what customers are now. Visitors whose
    customer changed are moved between customers' rows in the other periods
    (macros/kpi_restitching.sql), so a login does not restate the visitor's whole history; the
    post-hook records whom each visitor is counted as, in `int_kpi_visitor_segments__identities`.
-#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
{{
    config(
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        pre_hook=[
            "{{ remember_kpi_touched_days('kpi_visitor_segments_touched_days', sessions_only=true, rewritten_sessions=counted_identities_relation() is none) }}",
            "{{ move_restitched_visitors('kpi_visitor_segments_touched_days', 'kpi_visitor_segments_adjusted') }}",
            "{{ delete_kpi_rows_to_restate('kpi_visitor_segments_touched_days', per_period=true, customer_segment_types=false) }}",
            "{{ delete_adjusted_visitor_rows('kpi_visitor_segments_adjusted') }}",
        ],
        post_hook="{{ record_counted_identities() }}",
    )
}}

{#- One branch per period grain and fixed session segment type. -#}
{%- set branches = visitor_segment_branches() %}

{#- Each branch reads the sessions table itself and counts in two plain aggregations (who
    visited, then how many), which DuckDB can spill to disk; a count(distinct) over one CTE of
    sessions x grains x segment types could not, and ran out of a 4 GB memory_limit at 50M
    events. -#}
with

{% if is_incremental() %}
    touched_periods as (
    -- from the days the pre-hook wrote before it deleted the rows this run restates
        {{ kpi_touched_periods_sql('kpi_visitor_segments_touched_days') }}
    ),
{% endif %}

{%- for grain, segment_type, expression in branches %}

    visits_{{ grain }}_{{ segment_type }} as (
        select
            cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) as period_start,
            cast({{ expression }} as {{ dbt.type_string() }}) as segment_value,
            fact.customer_id,
            fact.anonymous_id
        from {{ ref('fct_sessions') }} as fact
        {%- if is_incremental() %}
            where
                cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) in (
                    select touched_periods.period_start from touched_periods
                    where touched_periods.period_grain = '{{ grain }}'
                )
                -- a scalar bound as well, which lets the scan skip older row groups
                and fact.session_date >= (
                    select min(touched_periods.period_start) from touched_periods
                    where touched_periods.period_grain = '{{ grain }}'
                )
        {%- endif %}
        group by 1, 2, 3, 4
    ),

    counted_{{ grain }}_{{ segment_type }} as (
        select
            '{{ grain }}' as period_grain,
            period_start,
            '{{ segment_type }}' as segment_type,
            segment_value,
            customer_id,
            cast(count(anonymous_id) as {{ dbt.type_bigint() }}) as visitors
        from visits_{{ grain }}_{{ segment_type }}
        group by 1, 2, 3, 4, 5
    ),
{%- endfor %}

final as (
    {%- for grain, segment_type, expression in branches %}
        select
            *,
            {{ run_timestamp() }} as _refreshed_at
        from counted_{{ grain }}_{{ segment_type }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if is_incremental() %}
        union all
        -- the rows restitched visitors moved out of or into, where someone is still counted
        select
            *,
            {{ run_timestamp() }} as _refreshed_at
        from kpi_visitor_segments_adjusted
        where visitors > 0
    {%- endif %}
)

select * from final
{{ time_ordered('period_start') }}
