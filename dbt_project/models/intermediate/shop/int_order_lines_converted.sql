{#- One row per order line at its latest export, in the reporting currency at its order's FX rate.
    Discounts are exported per line (line_discount), so each line keeps its own: nothing is
    allocated. Rounding to the numeric type line by line can differ from rounding the order's
    total, so the order's last line takes the remainder: lines sum exactly to the order's
    net_revenue in int_orders_converted (and fct_orders). -#}

with

order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
),

converted as (
    select
        order_lines.order_id,
        order_lines.line_number,
        orders.status,
        orders.is_completed,
        orders.ordered_at,
        orders.ordered_date,
        order_lines.product_id,
        order_lines.product_category,
        order_lines.quantity,
        orders.net_revenue as order_net_revenue,
        cast(order_lines.gross_amount * orders.fx_factor as {{ dbt.type_numeric() }}) as gross_revenue,
        cast(order_lines.line_discount * orders.fx_factor as {{ dbt.type_numeric() }}) as discount,
        cast(order_lines.net_amount * orders.fx_factor as {{ dbt.type_numeric() }}) as rounded_net_revenue,
        order_lines._loaded_at
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
),

final as (
    select
        order_id,
        line_number,
        status,
        is_completed,
        ordered_at,
        ordered_date,
        product_id,
        product_category,
        quantity,
        gross_revenue,
        discount,
        case
            when line_number = max(line_number) over (partition by order_id)
                then order_net_revenue - sum(rounded_net_revenue) over (partition by order_id) + rounded_net_revenue
            else rounded_net_revenue
        end as net_revenue,
        _loaded_at
    from converted
)

select * from final
