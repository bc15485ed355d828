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

    Incremental by period: a run restates the periods of each grain that contain a day whose facts
    changed (kpi_touched_days_sql); nothing here depends on what customers are now.
-#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('int_orders_converted') }}
-- depends_on: {{ ref('stg_feedback__survey_responses') }}
-- depends_on: {{ ref('stg_marketing__campaign_days') }}
{{
    config(
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        pre_hook=[
            "{{ remember_kpi_touched_days('kpi_visitor_segments_touched_days') }}",
            "{{ delete_kpi_rows_to_restate('kpi_visitor_segments_touched_days', per_period=true, customer_segment_types=false) }}",
        ],
    )
}}

{%- set grains = ['day', 'week', 'month'] %}
{%- set customer_types = customer_segments('anonymous') | map('first') | list %}
{%- set fixed_segments = [] %}
{%- for segment in session_segments() if segment[0] not in customer_types %}
    {%- do fixed_segments.append(segment) %}
{%- endfor %}

with

{% if is_incremental() %}
    touched_periods as (
    -- from the days the pre-hook wrote before it deleted the rows this run restates
        {{ kpi_touched_periods_sql('kpi_visitor_segments_touched_days') }}
    ),
{% endif %}

sessions as (
    select * from {{ ref('fct_sessions') }}
),

-- one row per session and period grain
periods as (
    {%- for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'session_date') }} as date) as period_start,
            sessions.*
        from sessions
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{% if is_incremental() %}
    periods_to_restate as (
        select periods.*
        from periods
        inner join touched_periods
            on
                periods.period_grain = touched_periods.period_grain
                and periods.period_start = touched_periods.period_start
    ),
{% endif %}

memberships as (
    {{ explode_segments(
        'periods_to_restate as fact' if is_incremental() else 'periods as fact',
        fixed_segments,
        ['fact.period_grain', 'fact.period_start', 'fact.customer_id', 'fact.anonymous_id']) }}
),

final as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        customer_id,
        cast(count(distinct anonymous_id) as {{ dbt.type_bigint() }}) as visitors,
        {{ run_timestamp() }} as _refreshed_at
    from memberships
    group by 1, 2, 3, 4, 5
)

select * from final
