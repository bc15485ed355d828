{#-
    Last touch of every order id a purchase event carries: the order's first purchase event (an
    order id sent twice is one order) and the latest event of that event's session, at or before
    it, that carries a utm campaign; the touch's fields are null when there is none.
    int_orders_attributed joins the completed orders to it.

    Incremental by order: a run reads only the events sessionized since its last run. The
    sessionizer rewrites whole sessions, so a re-sessionized purchase comes with every event of
    its session, touches included. An order with a new purchase event is decided again between
    that event and the stored first one (unless the stored one was itself re-sessionized, in
    which case it is among the new events).
-#}
{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

new_events as (
    select
        event_id,
        session_id,
        event_number,
        event_type,
        order_id,
        occurred_at,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('int_events_sessionized') }}
    where
        (event_type = 'purchase' and order_id is not null or utm_campaign is not null)
    {% if is_incremental() %}
        and _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
    {% endif %}
),

purchases as (
    select
        order_id,
        event_id,
        occurred_at,
        session_id,
        event_number
    from new_events
    where event_type = 'purchase' and order_id is not null
),

touches as (
    select
        session_id,
        event_number,
        utm_source,
        utm_medium,
        utm_campaign
    from new_events
    where utm_campaign is not null
),

new_carriers as (
    -- each order's first purchase among the new events, with its session's last touch
    select
        carriers.order_id,
        carriers.event_id as carrier_event_id,
        carriers.occurred_at as carried_at,
        carriers.session_id,
        last_touches.utm_source,
        last_touches.utm_medium,
        last_touches.utm_campaign
    from (
        select
            *,
            row_number() over (partition by order_id order by occurred_at, event_id) as carrier_rank
        from purchases
    ) as carriers
    -- a subquery like `carriers`: each purchase's touches ranked for this join only (ST05
    -- allows it in `from`, not in a join)
    left join (  -- noqa: ST05
        select
            purchases.event_id,
            touches.utm_source,
            touches.utm_medium,
            touches.utm_campaign,
            row_number() over (partition by purchases.event_id order by touches.event_number desc) as touch_rank
        from purchases
        inner join touches
            on
                purchases.session_id = touches.session_id
                and purchases.event_number >= touches.event_number
    ) as last_touches
        on carriers.event_id = last_touches.event_id and last_touches.touch_rank = 1
    where carriers.carrier_rank = 1
),

{% if is_incremental() %}

    candidates as (
        select *, 1 as is_new from new_carriers
        union all
        -- the stored first purchase of the orders the new events carry, unless it was re-sessionized
        select
            stored.order_id,
            stored.carrier_event_id,
            stored.carried_at,
            stored.session_id,
            stored.utm_source,
            stored.utm_medium,
            stored.utm_campaign,
            0 as is_new
        from {{ this }} as stored
        where
            stored.order_id in (select new_carriers.order_id from new_carriers)
            and stored.carrier_event_id not in (select new_events.event_id from new_events)
    ),

    first_carriers as (
        select * from (
            select
                *,
                row_number() over (partition by order_id order by carried_at, carrier_event_id) as carrier_rank
            from candidates
        ) as ranked
        where carrier_rank = 1
    ),

{% else %}

    first_carriers as (
        select * from new_carriers
    ),

{% endif %}

final as (
    select
        order_id,
        carrier_event_id,
        carried_at,
        session_id,
        utm_source,
        utm_medium,
        utm_campaign,
        {{ run_timestamp() }} as _refreshed_at
    from first_carriers
)

select * from final
