{#-
    Who bought in each period, and whether they were a repeat buyer by then (contract §4, "Repeat
    purchase rate"): one row per period grain, period and customer with a completed order in the
    period. orders_to_date counts the customer's completed orders up to the period's end: the
    highest customer_order_number among their orders in the period, since orders are numbered in
    time order and the customer's last order by the period's end falls inside it. The rate looks
    back only: a later order never turns an earlier period's buyer into a repeat buyer.

    Guest orders (no customer) are nobody's nth order and are left out. A table: it reads the
    completed orders only, a small fraction of the facts, and stays equal to a full refresh.
-#}
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
