{#- One row per order at its latest state (contract §4), in the reporting currency, with its number
    among the customer's completed orders and the session and channel of its purchase event. -#}

with

orders as (
    select * from {{ ref('int_orders_converted') }}
),

purchase_events as (
    -- the order's first purchase event, kept incrementally: no scan of every event of history
    select
        order_id,
        session_id
    from {{ ref('int_order_touches') }}
),

sessions as (
    select
        session_id,
        channel_group
    from {{ ref('fct_sessions') }}
),

numbered as (
    select
        *,
        case
            -- guest orders (no customer) are nobody's nth order
            when is_completed and customer_id is not null then row_number() over (
                partition by customer_id, is_completed and customer_id is not null
                order by ordered_at, order_id
            )
        end as customer_order_number
    from orders
),

final as (
    select
        numbered.order_id,
        numbered.customer_id,
        numbered.ordered_at,
        numbered.ordered_date as order_date,
        numbered.status,
        '{{ reporting_currency() }}' as currency,
        numbered.gross_revenue,
        numbered.discount,
        numbered.net_revenue,
        cast(numbered.item_count as {{ dbt.type_bigint() }}) as item_count,
        cast(numbered.customer_order_number as {{ dbt.type_bigint() }}) as customer_order_number,
        coalesce(numbered.customer_order_number = 1, false) as is_first_order,
        coalesce(numbered.customer_order_number > 1, false) as is_repeat_order,
        purchase_events.session_id,
        sessions.channel_group,
        numbered.coupon_code,
        numbered.sales_channel,
        numbered.currency as order_currency,
        numbered.net_amount as net_amount_order_currency,
        numbered.updated_at
    from numbered
    left join purchase_events
        on numbered.order_id = purchase_events.order_id
    left join sessions
        on purchase_events.session_id = sessions.session_id
)

select * from final
