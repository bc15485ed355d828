{#- One row per visitor and experiment (contract §4, A/B results): the first exposure, and whether
    a purchase event within the conversion window followed it, with the revenue it brought. -#}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
{{
    config(
        materialized='incremental',
        partition_by=engine_partition_by('exposed_date'),
        unique_key=['experiment_id', 'anonymous_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

{% if is_incremental() %}
visitors_to_restate as (
    {{ experiment_visitors_to_restate(
        ref('int_experiment_first_exposures'), ref('int_purchase_events'), ref('stg_shop__order_arrivals')
    ) }}
),
{% endif %}

first_exposures as (
    select * from {{ ref('int_experiment_first_exposures') }}
    {% if is_incremental() %}where anonymous_id in (select anonymous_id from visitors_to_restate){% endif %}
),

purchases as (
    select * from {{ ref('int_purchase_events') }}
    {% if is_incremental() %}where anonymous_id in (select anonymous_id from visitors_to_restate){% endif %}
),

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed'
),

converting_orders as (
    -- distinct: an order id carried by two purchase events is one order, its revenue counted once
    select distinct
        first_exposures.experiment_id,
        first_exposures.anonymous_id,
        purchases.order_id
    from first_exposures
    inner join purchases
        on
            first_exposures.anonymous_id = purchases.anonymous_id
            and first_exposures.exposed_at <= purchases.occurred_at
            and purchases.occurred_at
            <= {{ dbt.dateadd('day', var('experiment_conversion_window_days'), 'first_exposures.exposed_at') }}
),

outcomes as (
    select
        converting_orders.experiment_id,
        converting_orders.anonymous_id,
        count(*) as purchases,
        sum(orders.net_revenue) as revenue
    from converting_orders
    left join orders
        on converting_orders.order_id = orders.order_id
    group by 1, 2
),

final as (
    select
        first_exposures.experiment_id,
        first_exposures.anonymous_id,
        first_exposures.variant,
        first_exposures.exposed_at,
        first_exposures.exposed_date,
        outcomes.purchases is not null as has_converted,
        coalesce(outcomes.revenue, 0) as revenue,
        {{ run_timestamp() }} as _refreshed_at
    from first_exposures
    left join outcomes
        on
            first_exposures.experiment_id = outcomes.experiment_id
            and first_exposures.anonymous_id = outcomes.anonymous_id
)

select * from final
