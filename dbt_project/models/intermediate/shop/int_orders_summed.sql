{#- One row per order at its latest state, its lines summed, amounts in the order's own currency.
    Ephemeral: int_orders_converted is its only reader. -#}

{{ config(materialized='ephemeral') }}

with

order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

final as (
    select
        order_id,
        max(customer_id) as customer_id,
        max(status) as status,
        max(ordered_at) as ordered_at,
        max(ordered_date) as ordered_date,
        max(updated_at) as updated_at,
        max(sales_channel) as sales_channel,
        max(currency) as currency,
        max(coupon_code) as coupon_code,
        count(*) as line_count,
        sum(quantity) as item_count,
        sum(gross_amount) as gross_amount,
        sum(line_discount) as discount_amount,
        sum(net_amount) as net_amount,
        max(_partition_date) as _partition_date,
        max(_loaded_at) as _loaded_at
    from order_lines
    group by order_id
)

select * from final
