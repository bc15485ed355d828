{#- int_order_touches: each order's first purchase event. In an incremental run an order with a
    new purchase event is decided again between the new events' first one (`new_carriers`) and
    the stored one, unless the stored one was itself re-sessionized (then it is among
    `new_events`). The sessionizer rewrites whole sessions, so a re-sessionized purchase comes
    with every event of its session, touches included. -#}
{% macro keep_earliest_carrier(new_carriers, new_events) %}
    {%- if is_incremental() %}
        select * from (
            select
                *,
                row_number() over (partition by order_id order by carried_at, carrier_event_id) as carrier_rank
            from (
                select
                    *,
                    1 as is_new
                from {{ new_carriers }}
                union all
                select
                    stored.order_id,
                    stored.carrier_event_id,
                    stored.carried_at,
                    stored.carried_date,
                    stored.session_id,
                    stored.utm_source,
                    stored.utm_medium,
                    stored.utm_campaign,
                    0 as is_new
                from {{ this }} as stored
                where
                    stored.order_id in (select carriers.order_id from {{ new_carriers }} as carriers)
                    and stored.carrier_event_id not in (select events.event_id from {{ new_events }} as events)
            ) as candidates
        ) as ranked
        where carrier_rank = 1
    {%- else %}
        select * from {{ new_carriers }}
    {%- endif %}
{% endmacro %}
