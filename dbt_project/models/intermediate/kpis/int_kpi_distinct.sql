{#-
    KPIs that do not add up over days, computed per period grain directly: visitors (distinct
    anonymous_id) and the mean engagement score of the distinct customers active in the period.

    Incremental by period: a run restates visitors in the periods (of each grain) containing a
    day whose facts changed, and for the customer segment types over all history (as
    int_kpi_daily). The engagement score is the customers' current score, so it is restated for
    every period.
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
        pre_hook=[
            "{{ remember_kpi_touched_days('kpi_distinct_touched_days') }}",
            "{{ delete_kpi_rows_to_restate('kpi_distinct_touched_days', per_period=true) }}",
        ],
    )
}}

{%- set grains = ['day', 'week', 'month'] %}

with

{% if is_incremental() %}
touched_periods as (
    -- from the days the pre-hook wrote before it deleted the rows this run restates
    {{ kpi_touched_periods_sql('kpi_distinct_touched_days') }}
),
{% endif %}

customers as (
    select * from {{ ref('dim_customers') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

segmented as (
    {{ explode_segments('sessions as fact left join customers as customer on fact.customer_id = customer.customer_id',
                        session_segments(),
                        ['fact.session_date', 'fact.anonymous_id', 'fact.customer_id', 'customer.engagement_score']) }}
),

periods as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        cast({{ dbt.date_trunc(grain, 'session_date') }} as date) as period_start,
        segmented.*
    from segmented
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

visitors as (
    select
        period_grain, period_start, segment_type, segment_value,
        'visitors' as kpi,
        cast(count(distinct anonymous_id) as double) as numerator,
        cast(null as double) as denominator
    from periods
    {%- if is_incremental() %}
    where
        segment_type in ('{{ restated_segment_types() | join("', '") }}')
        or exists (
            select 1 from touched_periods
            where
                touched_periods.period_grain = periods.period_grain
                and touched_periods.period_start = periods.period_start
        )
    {%- endif %}
    group by 1, 2, 3, 4
),

active_customers as (
    select distinct period_grain, period_start, segment_type, segment_value, customer_id, engagement_score
    from periods
    where customer_id is not null and engagement_score is not null
),

engagement as (
    select
        period_grain, period_start, segment_type, segment_value,
        'engagement_score' as kpi,
        cast(sum(engagement_score) as double) as numerator,
        cast(count(*) as double) as denominator
    from active_customers
    group by 1, 2, 3, 4
),

final as (
    select *, {{ run_timestamp() }} as _refreshed_at from visitors
    union all
    select *, {{ run_timestamp() }} as _refreshed_at from engagement
)

select * from final
