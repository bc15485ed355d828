{#-
    KPIs that do not add up over days, per period grain, period and segment: visitors (distinct
    anonymous_id) and the engagement score (mean current score of the distinct customers active
    in the period).

    Built from int_kpi_visitor_segments, which counts each period's visitors per session segment
    and customer: a segment's visitors are the sum over its customers (a visitor has one customer
    or none), and the segment types that describe customers (age band, RFM segment, ...) take the
    customer's attributes of today from dim_customers, for every period. Only this join is done
    again on every refresh; the counting of visitors is restated by period upstream.

    A table, unlike the rest of the folder: the input of every row changes with the customers'
    current segments and scores, and the input is already reduced to customers and periods.
-#}
{{ config(materialized='table') }}

{#- The KPI rows: (relation, kpi, numerator, denominator, where) -#}
{%- set kpi_parts = [
    ('by_session_segment', 'visitors', 'visitors', 'null', none),
    ('by_customer_segment', 'visitors', 'visitors', 'null', none),
    ('by_session_segment', 'engagement_score', 'score_sum', 'customers', 'customers > 0'),
    ('by_customer_segment', 'engagement_score', 'score_sum', 'customers', 'customers > 0'),
] %}

{#- int_kpi_visitor_segments is read where it is used, not through one CTE: DuckDB would
    materialise a CTE read more than once, every column of every row (9.6 s -> 7.7 s at 50M
    events). -#}
{%- set memberships = ref('int_kpi_visitor_segments') %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

-- who visited in each period, as whom
customer_periods as (
    select * from {{ memberships }}
    where segment_type = 'all'
),

-- Visitors, and the scores of the distinct customers among them, per session segment: one pass
-- over every membership row (two passes took 6.6 s instead of 3.7 s at 50M events). A customer
-- without a score adds its visitors and nothing to the score sum or count.
by_session_segment as (
    select
        memberships.period_grain,
        memberships.period_start,
        memberships.segment_type,
        memberships.segment_value,
        sum(memberships.visitors) as visitors,
        sum(customer.engagement_score) as score_sum,
        count(customer.engagement_score) as customers
    from {{ memberships }} as memberships
    left join customers as customer
        on memberships.customer_id = customer.customer_id
    group by 1, 2, 3, 4
),

-- The same per customer segment, from the visitors summed per period and combination of their
-- customers' segments (macros/kpi_segments.sql): one pass over the periods' 'all' rows.
customer_combinations as (
    {{ customer_segment_combinations(
        'customer_periods as fact left join customers as customer on fact.customer_id = customer.customer_id',
        ['fact.period_grain', 'fact.period_start'],
        ['sum(fact.visitors) as visitors', 'sum(customer.engagement_score) as score_sum',
         'count(customer.engagement_score) as customers'],
        'anonymous') }}
),

by_customer_segment as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        sum(visitors) as visitors,
        sum(score_sum) as score_sum,
        sum(customers) as customers
    from (
        {{ explode_segments('customer_combinations as fact', combination_segments(),
                            ['fact.period_grain', 'fact.period_start', 'fact.visitors', 'fact.score_sum',
                             'fact.customers']) }}
    ) as by_segment
    group by 1, 2, 3, 4
),

kpis as (
    {%- for relation, kpi, numerator, denominator, condition in kpi_parts %}
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        '{{ kpi }}' as kpi,
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator }} as double) as denominator
    from {{ relation }}
    {%- if condition %}
    where {{ condition }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from kpis
)

select * from final
