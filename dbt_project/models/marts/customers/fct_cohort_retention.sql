{#-
    Cohort retention: customers grouped by the month of their first completed order, and for each
    month since, how many of them ordered again (completed orders) and what they spent. Month 0
    is the cohort's own month, where every customer is active by definition.
-#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
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
        cast({{ dbt.datediff('cohort_month', 'order_month', 'month') }} as {{ dbt.type_bigint() }})
            as months_since_first_order,
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
        cast(coalesce(activity.revenue, 0) as {{ dbt.type_numeric() }}) as revenue
    from grid
    left join activity
        on
            grid.cohort_month = activity.cohort_month
            and grid.months_since_first_order = activity.months_since_first_order
)

select * from final
