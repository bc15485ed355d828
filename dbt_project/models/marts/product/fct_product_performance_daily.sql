{#- Product performance per day and product (contract §4): views and add-to-carts on the day of the
    event, completed orders' lines on the order's business date. Incremental: the pre-hooks delete
    the days a run restates (macros/incremental/product_restatement.sql), the model appends them
    again, and the post-hook gives older rows a product's new latest category. -#}
-- depends_on (read by the hooks): {{ ref('stg_shop__order_arrivals') }}
{{
    config(
        partition_by=engine_partition_by('date'),
        incremental_strategy='append',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        pre_hook=[
            "{{ remember_product_touched_days(
                'product_performance_touched_days', ref('int_events_sessionized'), ref('stg_shop__order_arrivals')
            ) }}",
            "{{ delete_product_touched_days('product_performance_touched_days') }}",
        ],
        post_hook="{{ update_product_categories(ref('int_order_lines_converted')) }}",
    )
}}

{%- set only_touched = is_incremental() %}

with

{% if only_touched %}
touched_days as (
    -- written by the pre-hook before it deleted the rows this run restates
    select touched_date from product_performance_touched_days
),
{% endif %}

product_events as (
    -- the one place events are read: bot sessions are left out (contract §4, "Bots")
    select
        occurred_date,
        product_id,
        event_type,
        page_type
    from {{ ref('int_events_sessionized') }}
    where
        product_id is not null
        and (event_type = 'add_to_cart' or (event_type = 'page_view' and page_type = 'product'))
        and session_id not in (
            select bots.session_id from {{ ref('fct_sessions') }} as bots
            where bots.is_bot
        )
    {% if only_touched %} and occurred_date in (select touched_date from touched_days) {% endif %}
),

order_lines as (
    select * from {{ ref('int_order_lines_converted') }}
),

completed_lines as (
    select * from order_lines
    where
        is_completed
    {% if only_touched %} and ordered_date in (select touched_date from touched_days) {% endif %}
),

event_counts as (
    select
        occurred_date as activity_date,
        product_id,
        sum(case when event_type = 'page_view' then 1 else 0 end) as views,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_carts,
        0 as orders,
        0 as units,
        cast(0 as {{ dbt.type_numeric() }}) as net_revenue
    from product_events
    group by 1, 2
),

order_counts as (
    select
        ordered_date as activity_date,
        -- a line without a product stays counted, under '(not set)', so products tie out to orders
        coalesce(product_id, '(not set)') as product_id,
        0 as views,
        0 as add_to_carts,
        count(distinct order_id) as orders,
        sum(quantity) as units,
        sum(net_revenue) as net_revenue
    from completed_lines
    group by 1, 2
),

product_categories as (
    {{ latest_product_categories_sql('order_lines') }}
),

combined as (
    select
        activity_date,
        product_id,
        sum(views) as views,
        sum(add_to_carts) as add_to_carts,
        sum(orders) as orders,
        sum(units) as units,
        sum(net_revenue) as net_revenue
    from (
        select * from event_counts
        union all
        select * from order_counts
    ) as counts
    group by 1, 2
),

final as (
    select
        combined.activity_date as {{ adapter.quote('date') }},
        combined.product_id,
        product_categories.product_category,
        cast(combined.views as {{ dbt.type_bigint() }}) as views,
        cast(combined.add_to_carts as {{ dbt.type_bigint() }}) as add_to_carts,
        cast(combined.orders as {{ dbt.type_bigint() }}) as orders,
        cast(combined.units as {{ dbt.type_bigint() }}) as units,
        cast(combined.net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
        cast(combined.orders as double) / nullif(combined.views, 0) as view_to_order_rate,
        {{ run_timestamp() }} as _refreshed_at
    from combined
    left join product_categories
        on combined.product_id = product_categories.product_id
)

select * from final
