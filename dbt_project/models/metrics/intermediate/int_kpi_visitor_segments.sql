{#- Distinct visitors per period, segment and customer (null: never identified), so that
    int_kpi_distinct sums visitors and engagement scores of any segment without counting visitors
    again. Incremental by period; restitched visitors are moved, not recounted
    (macros/incremental/kpi_restitching.sql). -#}
-- depends_on (read by the hooks): {{ ref('int_events_sessionized') }}, {{ ref('fct_sessions') }},
-- {{ ref('stg_crm__customer_versions') }}, {{ ref('int_customer_activity_daily') }},
-- {{ ref('stg_tracking__event_arrivals') }}, {{ ref('stg_shop__order_arrivals') }},
-- {{ ref('stg_feedback__survey_response_arrivals') }}, {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        partition_by=engine_partition_by('period_start'),
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

{#- One branch per period grain and segment type: the fixed session ones, and the customer ones. -#}
{%- set branches = visitor_segment_branches() %}
{%- set customer_branches = visitor_segment_branches(customer_segments('anonymous')) %}

{#- Each branch counts in two plain aggregations (who visited, then how many), which DuckDB can
    spill to disk: a count(distinct) over sessions x grains x segment types ran out of memory. -#}
with

{% if is_incremental() %}
    touched_periods as (
    -- from the days the pre-hook wrote before it deleted the rows this run restates
        {{ kpi_touched_periods_sql('kpi_visitor_segments_touched_days') }}
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
    {%- if is_incremental() %}
        -- customers whose segments or visitors changed, each from its first day that can differ
        inner join kpi_visitor_segments_customers as customers_to_restate
            on sessions.customer_id = customers_to_restate.customer_id
        where
            sessions.session_date >= {{ first_restated_period_start('customers_to_restate.restate_from') }}
            and not sessions.is_bot
    {%- else %}
        where sessions.customer_id is not null and not sessions.is_bot
    {%- endif %}
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
            where {{ in_restated_periods(grain, 'customer.session_date', 'customer.customer_restate_from') }}
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
        where
            not fact.is_bot
        {%- if is_incremental() %}
            and {{ in_touched_periods(grain, 'fact.session_date') }}
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
        {{ moved_visitor_rows('kpi_visitor_segments_adjusted') }}
    {%- endif %}
)

select * from final
{{ time_ordered('period_start') }}
