{#-
    One row per order at its latest state, amounts summed over its lines and converted to the
    reporting currency with the FX rate valid on the order's business date.
-#}

with

order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_ranged') }}
),

orders as (
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
),

converted as (
    select
        orders.*,
        {{ to_reporting_factor('orders.currency', 'source_rate', 'reporting_rate') }} as fx_factor
    from orders
    left join fx_rates as source_rate
        on {{ fx_rate_valid_on('source_rate', 'orders.currency', 'orders.ordered_date') }}
    left join fx_rates as reporting_rate
        on {{ fx_rate_valid_on('reporting_rate', "'" ~ reporting_currency() ~ "'", 'orders.ordered_date') }}
),

final as (
    select
        order_id,
        customer_id,
        status,
        status = 'completed' as is_completed,
        ordered_at,
        ordered_date,
        updated_at,
        sales_channel,
        currency,
        coupon_code,
        line_count,
        item_count,
        gross_amount,
        discount_amount,
        net_amount,
        fx_factor,
        cast(gross_amount * fx_factor as {{ dbt.type_numeric() }}) as gross_revenue,
        cast(discount_amount * fx_factor as {{ dbt.type_numeric() }}) as discount,
        cast(net_amount * fx_factor as {{ dbt.type_numeric() }}) as net_revenue,
        _partition_date,
        _loaded_at
    from converted
)

select * from final
