{#- Contract §4 "Attribution": each conversion's touches and their credit under six models.
    Incremental by order: a run re-credits the orders exported again and those whose devices hold a
    touch that changed before their purchase (macros/attribution.sql); a post-hook drops cancelled
    ones. -#}
{{
    config(
        partition_by=engine_partition_by('order_date'),
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        post_hook="{{ drop_uncredited_orders(ref('int_orders_converted'), ref('int_attribution_conversions')) }}",
    )
}}

with

conversions as (
    select * from {{ ref('int_attribution_conversions') }}
),

sessions as (
    -- the one place sessions are read: bot sessions are no touches (contract §4, "Bots")
    select * from {{ ref('fct_sessions') }}
    where not is_bot
),

email_clicks as (
    select * from {{ ref('int_email_events') }}
    where event_type = 'email_click'
),

visitors as (
    select * from {{ ref('int_visitors_stitched') }}
),

{% if is_incremental() %}
    changed_touches as (
        -- every changed session, a bot's too, so that a filter on the sessions never hides a change
        {{ changed_attribution_touches(ref('fct_sessions'), 'email_clicks', 'visitors') }}
    ),

    orders_changed as (
        {{ orders_with_changed_touches('conversions', 'changed_touches', 'visitors') }}
    ),
{% endif %}

orders_to_credit as (
    select * from conversions
    {% if is_incremental() %}
        where order_id in (select order_id from orders_changed)
    {% endif %}
),

devices as (
    -- every device of the converting customer; the converting visitor's when anonymous
    select
        orders_to_credit.order_id,
        visitors.anonymous_id
    from orders_to_credit
    inner join visitors
        on orders_to_credit.customer_id = visitors.customer_id
    union
    select
        order_id,
        anonymous_id
    from orders_to_credit
    where anonymous_id is not null
),

touches as (
    select
        devices.order_id,
        sessions.session_id as touch_id,
        sessions.started_at as touched_at,
        sessions.channel_group,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign
    from devices
    inner join sessions
        on devices.anonymous_id = sessions.anonymous_id
    union all
    select
        devices.order_id,
        email_clicks.event_id as touch_id,
        email_clicks.occurred_at as touched_at,
        'Email' as channel_group,
        email_clicks.utm_source,
        email_clicks.utm_medium,
        email_clicks.utm_campaign
    from devices
    inner join email_clicks
        on devices.anonymous_id = email_clicks.anonymous_id
),

in_window as (
    -- the converting session always counts, whatever the lookback
    select
        touches.*,
        orders_to_credit.order_date,
        orders_to_credit.net_revenue,
        touches.touch_id = orders_to_credit.session_id as is_converting_session,
        {{ seconds_between('touches.touched_at', 'orders_to_credit.purchased_at') }} / 86400.0 as age_days
    from touches
    inner join orders_to_credit
        on touches.order_id = orders_to_credit.order_id
    where
        touches.touch_id = orders_to_credit.session_id
        or (
            touches.touched_at <= orders_to_credit.purchased_at
            and touches.touched_at
            >= {{ dbt.dateadd('day', -attribution_lookback_days(), 'orders_to_credit.purchased_at') }}
        )
),

numbered as (
    select
        *,
        row_number() over (partition by order_id order by touched_at, touch_id) as touch_number,
        count(*) over (partition by order_id) as touches,
        -- time decay measured from the newest touch (weight 1), so weights never all underflow
        power(0.5, (age_days - min(age_days) over (partition by order_id)) / 7.0) as decay_weight
    from in_window
),

weighted as (
    select
        *,
        sum(decay_weight) over (partition by order_id) as decay_weight_total,
        coalesce(
            max(case when channel_group <> 'Direct' then touch_number end) over (partition by order_id),
            max(case when is_converting_session then touch_number end) over (partition by order_id)
        ) as credited_touch_number
    from numbered
),

models as (
    {{ attribution_model_rows() }}
),

credited as (
    select
        weighted.*,
        models.model,
        {{ attribution_credit('models.model') }} as credit
    from weighted
    cross join models
),

final as (
    select
        order_id,
        model,
        cast(touch_number as {{ dbt.type_bigint() }}) as touch_number,
        touched_at,
        channel_group,
        utm_source,
        utm_medium,
        utm_campaign,
        cast(credit as double) as credit,
        cast(credit * net_revenue as {{ dbt.type_numeric() }}) as revenue_credit,
        order_date,
        touch_id,
        {{ run_timestamp() }} as _refreshed_at
    from credited
    -- single-touch models keep only the credited touch
    where credit > 0
)

select * from final
