{#- Each order line at its latest export, with the order-level fields of the order's latest export:
    a status re-exported for some lines only still updates the whole order. -#}
{%- set newest_export_first = 'updated_at desc, _partition_date desc, _source_file desc, _line_number desc' %}

with

source as (
    select * from {{ source('shop', 'orders') }}
),

ranked as (
    select
        *,
        row_number() over (partition by order_id, line_number order by {{ newest_export_first }}) as line_version_rank,
        row_number() over (partition by order_id order by {{ newest_export_first }}) as order_version_rank
    from source
),

final as (
    select
        latest_line.order_id,
        latest_line.line_number,
        latest_order.customer_id,
        latest_order.status,
        latest_order.ordered_at,
        {{ business_date('latest_order.ordered_at') }} as ordered_date,
        latest_order.updated_at,
        latest_order.sales_channel,
        latest_order.currency,
        latest_line.product_id,
        latest_line.product_category,
        latest_line.quantity,
        latest_line.unit_price,
        coalesce(latest_line.line_discount, 0) as line_discount,
        latest_line.quantity * latest_line.unit_price as gross_amount,
        latest_line.quantity * latest_line.unit_price - coalesce(latest_line.line_discount, 0) as net_amount,
        latest_line.coupon_code,
        latest_line._partition_date,
        latest_line._source_file,
        latest_line._line_number,
        latest_line._loaded_at
    from ranked as latest_line
    inner join ranked as latest_order
        on latest_line.order_id = latest_order.order_id
    where latest_line.line_version_rank = 1 and latest_order.order_version_rank = 1
)

select * from final
