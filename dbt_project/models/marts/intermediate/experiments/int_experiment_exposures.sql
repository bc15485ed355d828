{#-
    One row per visitor and experiment (contract §4, A/B results): the visitor's first
    experiment_exposure of the experiment (its variant; int_experiment_first_exposures), and
    whether they made a purchase event within 7 days after it, with the revenue of the completed
    orders those purchases carried.

    Incremental by visitor: a run restates every experiment of the visitors whose first exposures
    or purchase events were written since its last run (`_refreshed_at`), or whose purchases
    carry an order with a new export (its status or revenue may have changed), from all of
    those visitors' exposures and purchases. A row never goes away (first exposures only
    accumulate). A change of the var experiment_conversion_window_days needs --full-refresh.
-#}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
{{
    config(
        materialized='incremental',
        unique_key=['experiment_id', 'anonymous_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

{% if is_incremental() %}
{%- set watermark = incremental_watermark('_refreshed_at') %}
touched_visitors as (
    select anonymous_id from {{ ref('int_experiment_first_exposures') }}
    where _refreshed_at > {{ watermark }}
    union
    select anonymous_id from {{ ref('int_purchase_events') }}
    where _refreshed_at > {{ watermark }}
    union
    select anonymous_id from {{ ref('int_purchase_events') }}
    where order_id in (select order_id from {{ ref('stg_shop__order_arrivals') }} where _loaded_at > {{ watermark }})
),
{% endif %}

first_exposures as (
    select
        experiment_id,
        anonymous_id,
        variant,
        exposed_at
    from {{ ref('int_experiment_first_exposures') }}
    {% if is_incremental() %}where anonymous_id in (select anonymous_id from touched_visitors){% endif %}
),

purchases as (
    select
        anonymous_id,
        occurred_at,
        order_id
    from {{ ref('int_purchase_events') }}
    {% if is_incremental() %}where anonymous_id in (select anonymous_id from touched_visitors){% endif %}
),

orders as (
    select
        order_id,
        net_revenue
    from {{ ref('fct_orders') }}
    where status = 'completed'
),

converting_purchases as (
    select
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

converting_orders as (
    -- an order id carried by two purchase events is one order: count its revenue once
    select distinct
        experiment_id,
        anonymous_id,
        order_id
    from converting_purchases
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
