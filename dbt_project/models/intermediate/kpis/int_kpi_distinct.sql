{#-
    KPIs that do not add up over days, computed per period grain directly: visitors (distinct
    anonymous_id) and the mean engagement score of the distinct customers active in the period.

    Incremental by period: a run restates visitors in the periods (of each grain) containing a
    day whose facts changed, and for the customer segment types over all history (as
    int_kpi_daily). The engagement score is the customers' current score, so it is restated for
    every period.

    Shaped for size: segment types that describe the customer (age band, RFM segment, ...) are
    counted from the distinct visitor-customer pairs of each period rather than from every
    session, and only the sessions of identified customers are exploded for the engagement
    score; exploding every session by every segment type and grain first made this the slowest
    model of a one-day refresh (61 s of 198 s at 10M events).
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
{%- set customer_types = customer_segments('anonymous') | map('first') | list %}
{%- set by_session = [] %}
{%- set by_session_restated = [] %}
{%- for segment in session_segments() if segment[0] not in customer_types %}
    {%- if segment[0] in restated_segment_types() %}
        {%- do by_session_restated.append(segment) %}
    {%- else %}
        {%- do by_session.append(segment) %}
    {%- endif %}
{%- endfor %}

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

-- who visited in each period, as whom: all customer segment types need
visitor_periods as (
    select distinct
        period_grain,
        period_start,
        anonymous_id,
        customer_id
    from periods
),

visitor_segments as (
    {{ explode_segments(
        'periods_to_restate as fact' if is_incremental() else 'periods as fact',
        by_session,
        ['fact.period_grain', 'fact.period_start', 'fact.anonymous_id']) }}
    {%- if by_session_restated %}
        union all
    {{ explode_segments('periods as fact', by_session_restated,
                        ['fact.period_grain', 'fact.period_start', 'fact.anonymous_id']) }}
    {%- endif %}
    union all
    {{ explode_segments(
        'visitor_periods as fact left join customers as customer on fact.customer_id = customer.customer_id',
        customer_segments('anonymous'),
        ['fact.period_grain', 'fact.period_start', 'fact.anonymous_id']) }}
),

visitors as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'visitors' as kpi,
        cast(count(distinct anonymous_id) as double) as numerator,
        cast(null as double) as denominator
    from visitor_segments
    group by 1, 2, 3, 4
),

-- the engagement score: customers with a score, once per period and segment
customer_sessions as (
    select
        periods.*,
        customer.engagement_score
    from periods
    inner join customers as customer on periods.customer_id = customer.customer_id
    where customer.engagement_score is not null
),

customer_periods as (
    select distinct
        period_grain,
        period_start,
        customer_id,
        engagement_score
    from customer_sessions
),

active_customers as (
    select distinct
        period_grain,
        period_start,
        segment_type,
        segment_value,
        customer_id,
        engagement_score
    from (
        {{ explode_segments('customer_sessions as fact', by_session + by_session_restated,
                            ['fact.period_grain', 'fact.period_start', 'fact.customer_id',
                             'fact.engagement_score']) }}
        union all
        {{ explode_segments(
            'customer_periods as fact inner join customers as customer on fact.customer_id = customer.customer_id',
            customer_segments('anonymous'),
            ['fact.period_grain', 'fact.period_start', 'fact.customer_id', 'fact.engagement_score']) }}
    ) as by_segment
),

engagement as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'engagement_score' as kpi,
        cast(sum(engagement_score) as double) as numerator,
        cast(count(*) as double) as denominator
    from active_customers
    group by 1, 2, 3, 4
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from visitors
    union all
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from engagement
)

select * from final
