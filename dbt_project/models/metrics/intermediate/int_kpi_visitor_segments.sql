{#-
    Who visited in each period, by segment and customer: one row per period grain, period,
    segment type (those a session carries: all, channel_group, device_type, platform, region,
    customer_type, session_duration_band; and the customer segment types, valued as the
    customer was on the session's day, from customer_segment_history), segment value and
    customer (null for visitors never identified), with the distinct visitors it holds.

    A visitor belongs to at most one customer (fct_sessions takes it from the identity map, one per
    visitor), so a segment's distinct visitors are the sum over its customers' rows, and the rows
    of type 'all' say who visited as whom in each period. int_kpi_distinct derives from them the
    visitors and engagement scores of every segment without counting visitors again.

    Incremental by period: a run restates the periods of each grain that contain a day of
    re-sessionized events (kpi_touched_days_sql with sessions_only; orders and surveys do not move
    a session's segments); in the customer segment types, it restates the rows of each customer
    with a session on such a day, whose segment history changed, or who gained or lost a
    visitor, from the period holding the first day that can differ (macros/incremental/kpi_restitching.sql). Visitors whose customer changed are moved
    between customers' rows in the other periods of the session segment types, and out of or
    into the never-identified rows of the customer segment types, so a login restates neither
    the visitor's whole history nor everyone's; the post-hook records whom each visitor is
    counted as, in `int_kpi_visitor_segments__identities`.
-#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('stg_crm__customer_versions') }}
-- depends_on: {{ ref('int_customer_activity_daily') }}
-- depends_on: {{ ref('stg_tracking__event_arrivals') }}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
-- depends_on: {{ ref('stg_feedback__survey_response_arrivals') }}
-- depends_on: {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        pre_hook=[
            "{{ remember_kpi_touched_days('kpi_visitor_segments_touched_days', sessions_only=true, rewritten_sessions=counted_identities_relation() is none) }}",
            "{{ remember_kpi_segment_restate_from('kpi_visitor_segments_segment_restate') }}",
            "{{ remember_customers_to_restate('kpi_visitor_segments_customers', 'kpi_visitor_segments_touched_days', 'kpi_visitor_segments_segment_restate') }}",
            "{{ move_restitched_visitors('kpi_visitor_segments_touched_days', 'kpi_visitor_segments_adjusted') }}",
            "{{ delete_kpi_rows_to_restate('kpi_visitor_segments_touched_days', per_period=true, customer_segment_types=false, keep_customers_rows=true) }}",
            "{{ delete_customer_rows_to_restate('kpi_visitor_segments_customers') }}",
            "{{ delete_adjusted_visitor_rows('kpi_visitor_segments_adjusted') }}",
        ],
        post_hook="{{ record_counted_identities() }}",
    )
}}

{#- One branch per period grain and fixed session segment type, and per period grain and
    customer segment type. -#}
{%- set branches = visitor_segment_branches() %}
{%- set customer_branches = [] %}
{%- for grain in ['day', 'week', 'month'] %}
    {%- for segment_type, expression in customer_segments('anonymous') %}
        {%- do customer_branches.append((grain, segment_type, expression)) %}
    {%- endfor %}
{%- endfor %}

{#- Each branch reads the sessions table itself and counts in two plain aggregations (who
    visited, then how many), which DuckDB can spill to disk; a count(distinct) over one CTE of
    sessions x grains x segment types could not, and ran out of memory at scale. -#}
with

{% if is_incremental() %}
    touched_periods as (
    -- from the days the pre-hook wrote before it deleted the rows this run restates
        {{ kpi_touched_periods_sql('kpi_visitor_segments_touched_days') }}
    ),

    customers_to_restate as (
    -- customers whose segments or visitors changed, each from its first day that can differ
        select * from kpi_visitor_segments_customers
    ),
{% endif %}

-- which customer's visitors came on which day, for the customer segment types (a visitor never
-- identified is 'anonymous' in every one of them: those rows are the 'all' rows of no customer)
customer_sessions as (
    select distinct
        sessions.session_date,
        sessions.customer_id,
        {% if is_incremental() %}
            sessions.anonymous_id,
            customers_to_restate.restate_from as customer_restate_from
        {% else %}
            sessions.anonymous_id
        {% endif %}
    from {{ ref('fct_sessions') }} as sessions
    {% if is_incremental() %}
        inner join customers_to_restate
            on sessions.customer_id = customers_to_restate.customer_id
        where sessions.session_date >= {{ first_restated_period_start('customers_to_restate.restate_from') }}
    {% else %}
        where sessions.customer_id is not null
    {% endif %}
),

-- the customer's segments on each of those days
customer_days as (
    {{ customer_segments_on_days(
        'select distinct customer_id, session_date as as_of_date from customer_sessions',
        ref('customer_segment_history'), ref('dim_customers')) }}
),

customer_visits as (
    select
        customer_sessions.*,
        {%- for segment_type in customer_segment_types() %}
            customer_days.{{ segment_type }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_sessions
    left join customer_days
        on
            customer_sessions.customer_id = customer_days.customer_id
            and customer_sessions.session_date = customer_days.as_of_date
),

{%- for grain, segment_type, expression in customer_branches %}

    visits_{{ grain }}_{{ segment_type }} as (
        select
            cast({{ dbt.date_trunc(grain, 'customer.session_date') }} as date) as period_start,
            cast({{ expression }} as {{ dbt.type_string() }}) as segment_value,
            customer.customer_id,
            customer.anonymous_id
        from customer_visits as customer
        {%- if is_incremental() %}
            where
                cast({{ dbt.date_trunc(grain, 'customer.session_date') }} as date)
                >= cast({{ dbt.date_trunc(grain, 'customer.customer_restate_from') }} as date)
        {%- endif %}
        group by 1, 2, 3, 4
    ),

{%- endfor %}

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

{%- endfor %}

{#- each visitor once per period, segment and customer, for both kinds of branch -#}
{%- for grain, segment_type, expression in branches + customer_branches %}
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
    {%- for grain, segment_type, expression in branches + customer_branches %}
        select
            *,
            {{ run_timestamp() }} as _refreshed_at
        from counted_{{ grain }}_{{ segment_type }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- for grain, segment_type, expression in customer_branches %}
        union all
        select
            period_grain,
            period_start,
            '{{ segment_type }}' as segment_type,
            'anonymous' as segment_value,
            customer_id,
            visitors,
            {{ run_timestamp() }} as _refreshed_at
        from counted_{{ grain }}_all
        where customer_id is null
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
