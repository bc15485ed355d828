{#-
    Current state of every order line. Each (order, line) keeps its latest export (by updated_at,
    then arrival); order-level fields (status, customer, timestamps, channel, currency) are those
    of the order's latest export, so a status change re-exported for some lines only still
    updates the whole order.
-#}

with

source as (
    select * from {{ source('shop', 'orders') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, line_number
            order by updated_at desc, _partition_date desc, _source_file desc, _line_number desc
        ) as line_version_rank,
        row_number() over (
            partition by order_id
            order by updated_at desc, _partition_date desc, _source_file desc, _line_number desc
        ) as order_version_rank
    from source
),

latest_order_state as (
    select
        order_id,
        customer_id,
        status,
        ordered_at,
        updated_at,
        sales_channel,
        currency
    from ranked
    where order_version_rank = 1
),

latest_lines as (
    select * from ranked
    where line_version_rank = 1
),

final as (
    select
        latest_lines.order_id,
        latest_lines.line_number,
        latest_order_state.customer_id,
        latest_order_state.status,
        latest_order_state.ordered_at,
        {{ business_date('latest_order_state.ordered_at') }} as ordered_date,
        latest_order_state.updated_at,
        latest_order_state.sales_channel,
        latest_order_state.currency,
        latest_lines.product_id,
        latest_lines.product_category,
        latest_lines.quantity,
        latest_lines.unit_price,
        coalesce(latest_lines.line_discount, 0) as line_discount,
        latest_lines.quantity * latest_lines.unit_price as gross_amount,
        latest_lines.quantity * latest_lines.unit_price
        - coalesce(latest_lines.line_discount, 0) as net_amount,
        latest_lines.coupon_code,
        latest_lines._partition_date,
        latest_lines._source_file,
        latest_lines._line_number,
        latest_lines._loaded_at
    from latest_lines
    inner join latest_order_state
        on latest_lines.order_id = latest_order_state.order_id
)

select * from final
