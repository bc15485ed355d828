{#-
    Post-hooks of fct_page_views and fct_sessions: rows whose events did not change but whose
    customer or orders did are updated where they are, instead of being rebuilt from the
    sessionized events. Finding such a visitor's old events among all of history and deleting
    their rows under a bound at the start of history cost 6 s of a 50M-event daily run in
    fct_page_views alone; the update costs 0.5 s.

    Each update looks at what changed after the model's previous run (previous_run_watermark)
    and only writes rows that differ (`is distinct from`), stamping them with this run's
    `_refreshed_at`; rows this run rebuilt are already right. MERGE, which DuckDB and Spark
    (Delta) both run.
-#}

{#- The newest `_refreshed_at` written before this dbt invocation started: the previous run's
    stamp (older still when this run deleted all of that run's rows, which only makes the
    update look at more rows). Unlike max(_refreshed_at), it ignores what this run has written,
    whichever statement wrote it. -#}
{% macro previous_run_watermark() -%}
    (
        select coalesce(max(earlier._refreshed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }} as earlier
        where earlier._refreshed_at < cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    )
{%- endmacro %}

{#- Contract §4, "Identity stitching": the rows of visitors whose stitched customer changed
    carry their new customer, earlier sessions included. -#}
{% macro restitch_customers() %}
    {% if is_incremental() %}
        merge into {{ this }} as stored
        using (
            select anonymous_id, customer_id
            from {{ ref('int_visitors_stitched') }}
            where _changed_at > {{ previous_run_watermark() }}
        ) as changed
            on stored.anonymous_id = changed.anonymous_id
        when matched and stored.customer_id is distinct from changed.customer_id then update set
            customer_id = changed.customer_id,
            _refreshed_at = {{ run_timestamp() }}
    {% endif %}
{% endmacro %}

{#- Contract §4, session fields: a session's `orders` and `revenue` come from the completed orders
    whose order_id a purchase event of the session carries. `purchased` has one row per
    (session_id, order_id); sessions without a completed order have no row (the callers make
    that 0). fct_sessions builds its sessions and restate_session_orders updates them with it. -#}
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
{% macro restate_session_orders() %}
    {% if is_incremental() %}
        {%- set reordered -%}
            select session_id from {{ ref('int_purchase_events') }}
            where order_id in (
                select order_id from {{ ref('int_orders_converted') }}
                where _loaded_at > {{ previous_run_watermark() }}
            )
        {%- endset %}
        merge into {{ this }} as stored
        using (
            select
                reordered.session_id,
                coalesce(totals.orders, 0) as orders,
                cast(coalesce(totals.revenue, 0) as {{ dbt.type_numeric() }}) as revenue
            from (select distinct session_id from ({{ reordered }}) as changed) as reordered
            left join (
                {{ session_completed_orders(
                    '(select distinct session_id, order_id from ' ~ ref('int_purchase_events')
                    ~ ' where order_id is not null and session_id in (' ~ reordered ~ '))',
                    ref('int_orders_converted')) }}
            ) as totals
                on reordered.session_id = totals.session_id
        ) as restated
            on stored.session_id = restated.session_id
        when matched and (
            stored.orders is distinct from restated.orders or stored.revenue is distinct from restated.revenue
        ) then update set
            orders = restated.orders,
            revenue = restated.revenue,
            _refreshed_at = {{ run_timestamp() }}
    {% endif %}
{% endmacro %}
