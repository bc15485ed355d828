{#- Every order id a purchase event carries, with its first purchase event and that session's last
    utm-tagged touch at or before it; incremental by order over the newly sessionized events. -#}
{{
    config(
        materialized='incremental',
        partition_by=engine_partition_by('carried_date'),
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
        occurred_date,
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
        occurred_date,
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
        carriers.occurred_date as carried_date,
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

first_carriers as (
    -- in an incremental run, decided again against the stored first purchase
    {{ keep_earliest_carrier('new_carriers', 'new_events') }}
),

final as (
    select
        order_id,
        carrier_event_id,
        carried_at,
        carried_date,
        session_id,
        utm_source,
        utm_medium,
        utm_campaign,
        {{ run_timestamp() }} as _refreshed_at
    from first_carriers
)

select * from final
