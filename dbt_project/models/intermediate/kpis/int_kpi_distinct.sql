{#-
    KPIs that do not add up over days, computed per period grain directly: visitors (distinct
    anonymous_id) and the mean engagement score of the distinct customers active in the period.
-#}

{%- set grains = ['day', 'week', 'month'] %}

with

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
    select * from visitors
    union all
    select * from engagement
)

select * from final
