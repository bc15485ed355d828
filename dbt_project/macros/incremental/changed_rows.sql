{#- Post-hooks of fct_page_views and fct_sessions: rows whose events did not change but whose
    customer or orders did are updated in place (update_rows: MERGE, or partition rewrites on Spark), as rebuilding
    them would mean finding a visitor's old events among all of history. Each update reads what
    changed since the model's previous run and writes only rows that differ. -#}

{#- The newest `_refreshed_at` written before this invocation started: unlike max(_refreshed_at),
    blind to what this run wrote (older when this run deleted all of the previous run's rows,
    which only makes the update read more). -#}
{% macro previous_run_watermark() -%}
    (
        select coalesce(max(earlier._refreshed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }} as earlier
        where earlier._refreshed_at < cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    )
{%- endmacro %}

{#- Contract §4, "Identity stitching": the rows of visitors whose stitched customer changed
    (`visitors`: int_visitors_stitched) carry their new customer, earlier sessions included. -#}
{% macro restitch_customers(visitors) %}
    {% if is_incremental() %}
        {%- set changed_visitors %}
            select anonymous_id, customer_id
            from {{ visitors }}
            where _changed_at > {{ previous_run_watermark() }}
        {%- endset %}
        {{ update_rows(
            this, changed_visitors,
            'stored.anonymous_id = changed.anonymous_id',
            'stored.customer_id is distinct from changed.customer_id',
            {'customer_id': 'changed.customer_id', '_refreshed_at': run_timestamp()}) }}
    {% endif %}
{% endmacro %}

{#- Contract §4: a session's `orders` and `revenue`, from the completed orders whose order_id a
    purchase event of the session carries; `purchased` has one row per (session_id, order_id).
    Sessions without a completed order have no row (the callers make that 0). -#}
{% macro session_completed_orders(purchased, orders) %}
    select
        purchased.session_id,
        count(*) as orders,
        sum(orders.net_revenue) as revenue
    from {{ purchased }} as purchased
    inner join {{ orders }} as orders
        on purchased.order_id = orders.order_id
    where orders.is_completed
    group by purchased.session_id
{% endmacro %}

{#- fct_sessions: the orders and revenue of sessions with a purchase event of an order exported
    again (a new status, a refund); a session none of whose orders is completed any more gets 0. -#}
{% macro restate_session_orders(purchase_events, orders) %}
    {% if is_incremental() %}
        {%- set reordered -%}
            select session_id from {{ purchase_events }}
            where order_id in (
                select order_id from {{ orders }}
                where _loaded_at > {{ previous_run_watermark() }}
            )
        {%- endset %}
        {%- set restated %}
            select
                reordered.session_id,
                coalesce(totals.orders, 0) as orders,
                cast(coalesce(totals.revenue, 0) as {{ dbt.type_numeric() }}) as revenue
            from (select distinct session_id from ({{ reordered }}) as changed) as reordered
            left join (
                {{ session_completed_orders(
                    '(select distinct session_id, order_id from ' ~ purchase_events
                    ~ ' where order_id is not null and session_id in (' ~ reordered ~ '))',
                    orders) }}
            ) as totals
                on reordered.session_id = totals.session_id
        {%- endset %}
        {{ update_rows(
            this, restated,
            'stored.session_id = changed.session_id',
            'stored.orders is distinct from changed.orders or stored.revenue is distinct from changed.revenue',
            {'orders': 'changed.orders', 'revenue': 'changed.revenue', '_refreshed_at': run_timestamp()}) }}
    {% endif %}
{% endmacro %}
