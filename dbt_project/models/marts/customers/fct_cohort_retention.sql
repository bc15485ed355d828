{#- Cohort retention by month of first completed order, with the cohort's 90-day repeat rate: a
    cohort view of repeat buying, apart from the KPI repeat_purchase_rate (see the YAML). -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

observation as (
    select * from {{ ref('int_observation_window') }}
),

customer_orders as (
    select
        customer_id,
        {{ dbt.date_trunc('month', 'order_date') }} as order_month,
        min({{ dbt.date_trunc('month', 'order_date') }}) over (partition by customer_id) as cohort_month,
        net_revenue
    from orders
),

activity as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(
            {{ dbt.datediff('cohort_month', 'order_month', 'month') }}
            as {{ dbt.type_bigint() }}
        ) as months_since_first_order,
        count(distinct customer_id) as active_customers,
        sum(net_revenue) as revenue
    from customer_orders
    group by 1, 2
),

cohort_sizes as (
    select
        cast(cohort_month as date) as cohort_month,
        count(distinct customer_id) as cohort_customers
    from customer_orders
    group by 1
),

-- each customer's first and second completed order days
customer_firsts as (
    select
        customer_id,
        min(case when order_rank = 1 then order_date end) as first_order_date,
        min(case when order_rank = 2 then order_date end) as second_order_date
    from (
        select
            customer_id,
            order_date,
            row_number() over (partition by customer_id order by order_date, order_id) as order_rank
        from orders
    ) as ranked
    group by 1
),

customer_repeats as (
    select
        cast({{ dbt.date_trunc('month', 'customer_firsts.first_order_date') }} as date) as cohort_month,
        {{ dbt.dateadd('day', 90, 'customer_firsts.first_order_date') }}
        <= observation.observation_end as has_90_days,
        coalesce(
            customer_firsts.second_order_date <= {{ dbt.dateadd('day', 90, 'customer_firsts.first_order_date') }},
            false
        ) as ordered_again_within_90_days
    from customer_firsts
    cross join observation
),

cohort_repeats as (
    select
        cohort_month,
        sum(case when has_90_days then 1 else 0 end) as customers_observed_90d,
        sum(case when has_90_days and ordered_again_within_90_days then 1 else 0 end) as repeat_customers_90d
    from customer_repeats
    group by 1
),

last_month as (
    select max(order_month) as last_activity_month from customer_orders
),

month_offsets as (
    -- 0 .. 599 months: every offset, so months in which nobody came back show 0 instead of
    -- being missing from the heatmap
    select cast(generated_number - 1 as {{ dbt.type_bigint() }}) as months_since_first_order
    from ({{ dbt.generate_series(600) }}) as series
),

grid as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        month_offsets.months_since_first_order
    from cohort_sizes
    cross join month_offsets
    cross join last_month
    where
        month_offsets.months_since_first_order
        <= {{ dbt.datediff('cohort_sizes.cohort_month', 'last_month.last_activity_month', 'month') }}
),

final as (
    select
        grid.cohort_month,
        grid.months_since_first_order,
        cast(grid.cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as {{ dbt.type_bigint() }}) as active_customers,
        cast(coalesce(activity.active_customers, 0) as double) / grid.cohort_customers as retention_rate,
        cast(coalesce(activity.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(cohort_repeats.customers_observed_90d as {{ dbt.type_bigint() }}) as customers_observed_90d,
        cast(cohort_repeats.repeat_customers_90d as {{ dbt.type_bigint() }}) as repeat_customers_90d,
        cast(cohort_repeats.repeat_customers_90d as double)
        / nullif(cohort_repeats.customers_observed_90d, 0) as repeat_rate_90d
    from grid
    left join cohort_repeats
        on grid.cohort_month = cohort_repeats.cohort_month
    left join activity
        on
            grid.cohort_month = activity.cohort_month
            and grid.months_since_first_order = activity.months_since_first_order
)

select * from final
