{#- Additive KPI inputs per day, segment and KPI (contract §4): kpi_metrics sums them into weeks
    and months, so a month always equals the sum of its days. Incremental: the pre-hooks delete
    the days and segments a run restates (macros/incremental/kpi_restatement.sql). -#}
-- depends_on (read by the pre-hooks): {{ ref('int_events_sessionized') }}, {{ ref('fct_sessions') }},
-- {{ ref('int_orders_converted') }}, {{ ref('int_customer_activity_daily') }},
-- {{ ref('stg_crm__customer_versions') }}, {{ ref('stg_marketing__campaign_days') }},
-- {{ ref('stg_tracking__event_arrivals') }}, {{ ref('stg_shop__order_arrivals') }},
-- {{ ref('stg_feedback__survey_response_arrivals') }}, {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        partition_by=engine_partition_by('metric_date'),
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
    by every segment type, every column of every session. Bot sessions count in no KPI. -#}
{%- set sessions = '(select * from ' ~ ref('fct_sessions') ~ ' where not is_bot)' %}
{%- set customer_types = customer_segment_types() %}
{%- set fixed_session_segments = session_segments() | rejectattr(0, 'in', customer_types) | list %}

{%- set session_measures = kpi_measure_names('fct_sessions') %}

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
    {% if only_touched %}and {{ adapter.quote('date') }} in (select metric_date from touched_days){% endif %}
),

shares as (
    select * from {{ ref('fct_social_shares_daily') }}
    {% if only_touched %}where share_date in (select metric_date from touched_days){% endif %}
),

-- customer segment types read sessions summed per day and customer: far fewer rows
customer_day_sessions as (
    select
        session_date,
        customer_id,
        {%- for measure, expression in kpi_measures('fct_sessions') %}
            {%- set aggregate = 'count(*)' if expression == '1' else 'sum(' ~ expression ~ ')' %}
            {{ aggregate }} as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ sessions }} as sessions
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

-- ... and per day and combination of the customers' segments
customer_day_combinations as (
    {{ customer_segment_combinations(
        'customer_day_sessions as fact left join customers as customer'
        ~ ' on fact.customer_id = customer.customer_id and fact.session_date = customer.as_of_date',
        ['fact.session_date'], each_measure(session_measures, 'sum(fact.@) as @'), 'anonymous') }}
),

session_segments as (
    -- the session's own segments (its region included) on the touched days only
    {{ explode_segments(sessions ~ ' as fact', fixed_session_segments,
                        ['fact.session_date as metric_date'] + kpi_measure_columns('fct_sessions'),
                        'fact.session_date', only_touched, restated=[]) }}
    union all
    {{ explode_segments('customer_day_combinations as fact', combination_segments(),
                        ['fact.session_date as metric_date'] + each_measure(session_measures, 'fact.@')) }}
),

order_segments as (
    {{ explode_segments('orders as fact left join customers as customer'
                        ~ ' on fact.customer_id = customer.customer_id and fact.order_date = customer.as_of_date',
                        order_segments(), ['fact.order_date as metric_date'] + kpi_measure_columns('fct_orders'),
                        'fact.order_date', only_touched, segment_restate_from=segment_restate_from) }}
),

survey_segments as (
    {{ explode_segments('surveys as fact left join customers as customer'
                        ~ ' on fact.customer_id = customer.customer_id and fact.submitted_date = customer.as_of_date',
                        survey_segments(), ['fact.submitted_date as metric_date'] + kpi_measure_columns('fct_survey_responses'),
                        'fact.submitted_date', only_touched, segment_restate_from=segment_restate_from) }}
),

marketing_segments as (
    {{ explode_segments('marketing', [('all', "'all'"), ('platform', 'platform'), ('campaign', 'campaign')],
                        [adapter.quote('date') ~ ' as metric_date']
                        + kpi_measure_columns('fct_marketing_performance')) }}
),

share_segments as (
    {{ explode_segments('shares', [('all', "'all'"), ('share_network', 'share_network')],
                        ['share_date as metric_date'] + kpi_measure_columns('fct_social_shares_daily')) }}
),

-- named after the source_model whose KPIs they hold (kpi_catalogue)
{%- set totals = [('fct_sessions', 'session'), ('fct_orders', 'order'), ('fct_survey_responses', 'survey'),
                 ('fct_marketing_performance', 'marketing'), ('fct_social_shares_daily', 'share')] %}
{%- for source_model, facts in totals %}
    {{ source_model }}_totals as (
        {{ sum_by_segment(facts ~ '_segments', kpi_measure_names(source_model)) }}
    ),
{%- endfor %}

kpis as (
    -- every additive KPI of kpi_catalogue, from the daily sums of its source mart
    {{ additive_kpi_rows(totals_suffix='_totals') }}
)

select
    *,
    {{ run_timestamp() }} as _refreshed_at
from kpis
where metric_date is not null
