{#- Orders in the reporting currency, at the FX rate valid on each order's business date. -#}

with

orders as (
    select * from {{ ref('int_orders_summed') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_ranged') }}
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
