{#- Each customer's churn states over time (contract §4, "Churn"): `ordered` from their first
    completed order day on; `churned` from more than `churn_after_days` after an order day until
    their next one (open while they have not ordered again). -#}
{{ config(materialized='table') }}

{%- set churn_after_days = var('churn_after_days') %}

with

order_days as (
    select distinct
        customer_id,
        order_date
    from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

-- from one completed order to the next, it is the customer's last
spans as (
    select
        customer_id,
        order_date,
        cast({{ dbt.dateadd('day', churn_after_days + 1, 'order_date') }} as date) as churned_from,
        lead(order_date) over (partition by customer_id order by order_date) as next_order_date,
        row_number() over (partition by customer_id order by order_date) as order_day_number
    from order_days
),

final as (
    select
        customer_id,
        'ordered' as state,
        order_date as starts_on,
        cast(null as date) as ends_on
    from spans
    where order_day_number = 1
    union all
    select
        customer_id,
        'churned' as state,
        churned_from as starts_on,
        next_order_date as ends_on
    from spans
    where next_order_date is null or next_order_date > churned_from
)

select * from final
