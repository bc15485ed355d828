{#-
    Additive KPI inputs per day, segment and KPI (contract §4, kpi_metrics): every KPI whose
    numerator and denominator are sums over days (the distinct-customer repeat purchase rate is
    counted per period in int_kpi_repeat_purchase_rate). kpi_metrics rolls days up into weeks
    and months by summing them, so a month always equals the sum of its days.

    Customer segment types count each fact under the customer's segment on the fact's business
    date (customer_segment_history; contract §4, "Segments as they were").

    Incremental by day: a run restates the days whose facts changed since the last run (see
    kpi_touched_days_sql), the customer segment types from the earliest day whose segments or
    facts changed (restate_from of macros/customer_segment_history.sql: yesterday, on a plain
    daily run), and, over all history, the customer's region of orders and surveys (their current
    profile). The pre-hook deletes exactly those rows; the model appends them again.
    Sessions rewritten without being re-sessionized (a visitor restitched, an order's state
    changed) restate no day: no session KPI by the session's own segments reads the customer or
    the orders of a session, and the days of changed orders are restated through the orders.
-#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('stg_crm__customer_versions') }}
-- depends_on: {{ ref('int_orders_converted') }}
-- depends_on: {{ ref('stg_marketing__campaign_days') }}
-- depends_on: {{ ref('int_customer_activity_daily') }}
-- depends_on: {{ ref('stg_tracking__event_arrivals') }}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
-- depends_on: {{ ref('stg_feedback__survey_response_arrivals') }}
-- depends_on: {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ remember_kpi_touched_days('kpi_daily_touched_days', rewritten_sessions=false) }}",
            "{{ remember_kpi_segment_restate_from('kpi_daily_segment_restate_from') }}",
            "{{ delete_kpi_rows_to_restate('kpi_daily_touched_days', segment_restate_temp='kpi_daily_segment_restate_from') }}",
        ],
    )
}}

{%- set only_touched = is_incremental() %}
{%- set segment_restate_from = '(select restate_from from kpi_daily_segment_restate_from)' if only_touched else none %}
{#- fct_sessions is read where it is used, not through a CTE: DuckDB would materialise a CTE read
    by every segment type, every column of every session. -#}
{%- set sessions = ref('fct_sessions') %}
{%- set customer_types = customer_segments('anonymous') | map('first') | list %}
{%- set fixed_session_segments = [] %}
{%- for segment in session_segments() if segment[0] not in customer_types %}
    {%- do fixed_session_segments.append(segment) %}
{%- endfor %}

{%- set session_columns = [
    'fact.session_date as metric_date', '1 as sessions', 'fact.page_views', 'fact.duration_seconds',
    'case when fact.is_bounce then 1 else 0 end as bounced',
    'case when fact.is_engaged then 1 else 0 end as engaged',
    'case when fact.has_purchase then 1 else 0 end as converted'] %}
{%- set customer_day_columns = [
    'fact.session_date as metric_date', 'fact.sessions', 'fact.page_views', 'fact.duration_seconds',
    'fact.bounced', 'fact.engaged', 'fact.converted'] %}
{%- set order_columns = [
    'fact.order_date as metric_date', '1 as orders', 'fact.net_revenue',
    'case when fact.is_first_order then 1 else 0 end as first_orders'] %}
{%- set survey_columns = [
    'fact.submitted_date as metric_date', 'fact.survey_type', 'fact.score', 'fact.nps_category',
    'fact.is_satisfied'] %}

with

{% if only_touched %}
touched_days as (
    -- written by the pre-hook before it deleted the rows this run restates
    select metric_date from kpi_daily_touched_days
),
{% endif %}

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed'
),

surveys as (
    select * from {{ ref('fct_survey_responses') }}
),

marketing as (
    select * from {{ ref('fct_marketing_performance') }}
    where
        has_platform_data
    {% if only_touched %}and "date" in (select metric_date from touched_days){% endif %}
),

shares as (
    select * from {{ ref('fct_social_shares_daily') }}
    {% if only_touched %}where share_date in (select metric_date from touched_days){% endif %}
),

-- The customer segment types are read from the sessions summed per day and customer (a
-- fraction of the sessions) rather than from every session, on the days they are restated.
customer_day_sessions as (
    select
        session_date,
        customer_id,
        count(*) as sessions,
        sum(page_views) as page_views,
        sum(duration_seconds) as duration_seconds,
        sum(case when is_bounce then 1 else 0 end) as bounced,
        sum(case when is_engaged then 1 else 0 end) as engaged,
        sum(case when has_purchase then 1 else 0 end) as converted
    from {{ sessions }}
    {%- if only_touched %}
        where
            session_date in (select touched_days.metric_date from touched_days)
            or session_date >= {{ segment_restate_from }}
    {%- endif %}
    group by 1, 2
),

-- each fact's customer with their segments on the fact's day
customers as (
    {{ customer_segments_on_days(
        'select customer_id, session_date as as_of_date from customer_day_sessions where customer_id is not null'
        ~ ' union select customer_id, order_date from orders where customer_id is not null'
        ~ ' union select customer_id, submitted_date from surveys where customer_id is not null',
        ref('customer_segment_history'), ref('dim_customers')) }}
),

-- ... and per day and combination of the customers' segments (macros/kpi_segments.sql)
customer_day_combinations as (
    {{ customer_segment_combinations(
        'customer_day_sessions as fact left join customers as customer'
        ~ ' on fact.customer_id = customer.customer_id and fact.session_date = customer.as_of_date',
        ['fact.session_date'],
        ['sum(fact.sessions) as sessions', 'sum(fact.page_views) as page_views',
         'sum(fact.duration_seconds) as duration_seconds', 'sum(fact.bounced) as bounced',
         'sum(fact.engaged) as engaged', 'sum(fact.converted) as converted'],
        'anonymous') }}
),

session_segments as (
    -- the session's own segments (its region included) on the touched days only
    {{ explode_segments(sessions ~ ' as fact', fixed_session_segments, session_columns, 'fact.session_date',
                        only_touched, restated=[]) }}
    union all
    {{ explode_segments('customer_day_combinations as fact', combination_segments(), customer_day_columns) }}
),

order_segments as (
    {{ explode_segments('orders as fact left join customers as customer'
                        ~ ' on fact.customer_id = customer.customer_id and fact.order_date = customer.as_of_date',
                        order_segments(), order_columns, 'fact.order_date', only_touched,
                        segment_restate_from=segment_restate_from) }}
),

survey_segments as (
    {{ explode_segments('surveys as fact left join customers as customer'
                        ~ ' on fact.customer_id = customer.customer_id and fact.submitted_date = customer.as_of_date',
                        survey_segments(), survey_columns, 'fact.submitted_date', only_touched,
                        segment_restate_from=segment_restate_from) }}
),

session_totals as (
    select
        metric_date,
        segment_type,
        segment_value,
        sum(sessions) as sessions,
        sum(page_views) as page_views,
        sum(duration_seconds) as session_duration_seconds,
        sum(bounced) as bounced_sessions,
        sum(engaged) as engaged_sessions,
        sum(converted) as converted_sessions
    from session_segments
    group by 1, 2, 3
),

order_totals as (
    select
        metric_date,
        segment_type,
        segment_value,
        sum(orders) as completed_orders,
        sum(net_revenue) as completed_revenue,
        sum(first_orders) as first_orders
    from order_segments
    group by 1, 2, 3
),

survey_totals as (
    select
        metric_date,
        segment_type,
        segment_value,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_responses,
        sum(case when nps_category = 'promoter' then 1 when nps_category = 'detractor' then -1 else 0 end)
            as promoters_minus_detractors,
        sum(case when survey_type = 'ces' then 1 else 0 end) as ces_responses,
        sum(case when survey_type = 'ces' then score else 0 end) as ces_score_sum,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_responses,
        sum(case when is_satisfied then 1 else 0 end) as satisfied_responses
    from survey_segments
    group by 1, 2, 3
),

marketing_segments as (
    select
        "date" as metric_date,
        'all' as segment_type,
        'all' as segment_value,
        impressions,
        clicks,
        spend,
        revenue
    from marketing
    union all
    select
        "date" as metric_date,
        'platform' as segment_type,
        platform as segment_value,
        impressions,
        clicks,
        spend,
        revenue
    from marketing
    union all
    select
        "date" as metric_date,
        'campaign' as segment_type,
        campaign as segment_value,
        impressions,
        clicks,
        spend,
        revenue
    from marketing
),

marketing_totals as (
    select
        metric_date,
        segment_type,
        segment_value,
        sum(impressions) as ad_impressions,
        sum(clicks) as ad_clicks,
        sum(spend) as ad_spend,
        sum(revenue) as attributed_revenue
    from marketing_segments
    group by 1, 2, 3
),

share_totals as (
    select
        share_date as metric_date,
        'all' as segment_type,
        'all' as segment_value,
        sum(social_shares) as social_shares
    from shares
    group by 1
    union all
    select
        share_date as metric_date,
        'share_network' as segment_type,
        share_network as segment_value,
        sum(social_shares) as social_shares
    from shares
    group by 1, 2, 3
),

kpis as (
    -- every additive KPI of kpi_catalogue, from the daily sums of its source mart
    {{ additive_kpi_rows({
        'fct_sessions': 'session_totals',
        'fct_orders': 'order_totals',
        'fct_marketing_performance': 'marketing_totals',
        'fct_social_shares_daily': 'share_totals',
        'fct_survey_responses': 'survey_totals',
    }) }}
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from kpis
    where metric_date is not null
)

select * from final
