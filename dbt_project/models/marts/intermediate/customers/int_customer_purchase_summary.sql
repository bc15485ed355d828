{#- The CLV model's input per customer (contract §4, Predicted CLV): frequency, recency, T and
    monetary value over purchase occasions (customer-days with a completed order). -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

observation as (
    select * from {{ ref('int_observation_window') }}
),

occasions as (
    select
        customer_id,
        order_date as occasion_date,
        sum(net_revenue) as daily_spend
    from orders
    group by customer_id, order_date
),

ordered_occasions as (
    select
        *,
        row_number() over (partition by customer_id order by occasion_date) as occasion_number
    from occasions
),

final as (
    select
        ordered_occasions.customer_id,
        cast(count(*) - 1 as {{ dbt.type_bigint() }}) as frequency,
        {{ dbt.datediff('min(ordered_occasions.occasion_date)', 'max(ordered_occasions.occasion_date)', 'day') }}
        / 7.0 as recency_weeks,
        {{ dbt.datediff('min(ordered_occasions.occasion_date)', 'max(observation.observation_end)', 'day') }}
        / 7.0 as t_weeks,
        coalesce(
            avg(case when ordered_occasions.occasion_number > 1 then ordered_occasions.daily_spend end), 0
        ) as monetary_value,
        max(observation.observation_end) as observation_end
    from ordered_occasions
    cross join observation
    group by ordered_occasions.customer_id
)

select * from final
