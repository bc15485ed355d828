{#- Contract §4 "Attribution": the conversions, completed orders at their first purchase event, with
    the customer (or, for an anonymous one, the visitor) whose devices' touches they credit. A view:
    fct_attribution_credits reads only the orders a run re-credits. -#}

{{ config(materialized='view') }}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed'
),

purchase_events as (
    select * from {{ ref('int_order_touches') }}
),

converted as (
    -- for the load stamp: an order exported again (a refund, a new status) is re-credited
    select
        order_id,
        _loaded_at
    from {{ ref('int_orders_converted') }}
),

sessions as (
    select
        session_id,
        anonymous_id,
        customer_id
    from {{ ref('fct_sessions') }}
),

final as (
    select
        orders.order_id,
        orders.order_date,
        orders.net_revenue,
        purchase_events.carried_at as purchased_at,
        purchase_events.session_id,
        sessions.anonymous_id,
        -- the order's customer; else the one the converting device is stitched to
        coalesce(orders.customer_id, sessions.customer_id) as customer_id,
        case
            when purchase_events._refreshed_at > converted._loaded_at then purchase_events._refreshed_at
            else converted._loaded_at
        end as _changed_at
    from orders
    inner join purchase_events
        on orders.order_id = purchase_events.order_id
    inner join converted
        on orders.order_id = converted.order_id
    left join sessions
        on purchase_events.session_id = sessions.session_id
)

select * from final
