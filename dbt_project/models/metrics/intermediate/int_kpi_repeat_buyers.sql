{#- Who bought in each period and whether they were a repeat buyer by its end (contract §4):
    the highest customer_order_number among their orders in the period is their order count by
    its end, as orders are numbered in time order. Looks back only. -#}
{{ config(materialized='table') }}

with

orders as (
    select
        customer_id,
        order_date,
        customer_order_number
    from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

customer_periods as (
    {%- for grain in ['day', 'week', 'month'] %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'order_date') }} as date) as period_start,
            customer_id,
            count(*) as orders_in_period,
            max(customer_order_number) as orders_to_date
        from orders
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        period_grain,
        period_start,
        customer_id,
        cast(orders_in_period as {{ dbt.type_bigint() }}) as orders_in_period,
        cast(orders_to_date as {{ dbt.type_bigint() }}) as orders_to_date,
        orders_to_date >= 2 as is_repeat_buyer
    from customer_periods
)

select * from final
