{#- fct_product_performance_daily, incremental: the days a run restates, fixed by a pre-hook in a
    temporary table while the watermark still stands (the delete moves it), then deleted, so a day
    an order moved away from loses its rows even when nothing is appended for it again. -#}

{#- Days of product events sessionized again since the model's last run, and every day an order
    with a new export was ever placed on (all its exports: a moved order date restates both days;
    a new status or line restates its day). `sessionized_events`: int_events_sessionized;
    `order_arrivals`: stg_shop__order_arrivals. -#}
{% macro product_touched_days_sql(sessionized_events, order_arrivals) -%}
    {%- set watermark = incremental_watermark('_refreshed_at') -%}
    select occurred_date as touched_date from {{ sessionized_events }}
    where _sessionized_at > {{ watermark }} and event_type in ('page_view', 'add_to_cart') and product_id is not null
    union
    select ordered_date from {{ order_arrivals }}
    where order_id in (select order_id from {{ order_arrivals }} where _loaded_at > {{ watermark }})
{%- endmacro %}

{% macro remember_product_touched_days(temp_name, sessionized_events, order_arrivals) %}
    {% if is_incremental() %}
        {%- set sql %}
        {{ product_touched_days_sql(sessionized_events, order_arrivals) }}
        {%- endset %}
        {{ temporary_table_as(temp_name, sql) }}
    {% endif %}
{% endmacro %}

{% macro delete_product_touched_days(temp_name) %}
    {% if is_incremental() %}
        {%- set condition %}
            {{ adapter.quote('date') }} in (select touched_date from {{ temp_name }})
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- Each product's latest known category: that of its line in the most recent order that names one. -#}
{% macro latest_product_categories_sql(order_lines) -%}
    select
        product_id,
        product_category
    from (
        select
            product_id,
            product_category,
            row_number() over (
                partition by product_id
                order by ordered_at desc, order_id desc, line_number desc
            ) as category_rank
        from {{ order_lines }}
        where product_id is not null and product_category is not null
    ) as ranked
    where category_rank = 1
{%- endmacro %}

{#- Post-hook: rows of days the run did not restate take a product's new latest category (update_rows), writing only the rows that differ. -#}
{% macro update_product_categories(order_lines) %}
    {% if is_incremental() %}
        {{ update_rows(
            this, latest_product_categories_sql(order_lines),
            'stored.product_id = changed.product_id',
            'stored.product_category is distinct from changed.product_category',
            {'product_category': 'changed.product_category'}) }}
    {% endif %}
{% endmacro %}
