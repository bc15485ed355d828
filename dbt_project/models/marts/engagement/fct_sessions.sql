{#- One row per session (contract §4). Incremental: rebuilds the sessions whose events were
    sessionized again; hooks drop sessions merged away and update older sessions' customer and
    orders in place (macros/incremental/). -#}
-- depends_on: {{ ref('channel_groups') }}
{{
    config(
        partition_by=engine_partition_by('session_date'),
        unique_key='session_id',
        incremental_strategy='delete+insert',
        incremental_predicates=delete_from_earliest_new('started_at'),
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        pre_hook="{{ delete_vanished_sessions(ref('int_events_sessionized')) }}",
        post_hook=[
            "{{ restitch_customers(ref('int_visitors_stitched')) }}",
            "{{ restate_session_orders(ref('int_purchase_events'), ref('int_orders_converted')) }}",
        ],
    )
}}

with

{% if is_incremental() %}
resessionized_events as ({{ rows_since_watermark(ref('int_events_sessionized'), '_sessionized_at') }}),
{% endif %}

{#- A full refresh reads the events directly: a CTE read by several steps is materialised whole. -#}
{%- set events = 'resessionized_events' if is_incremental() else ref('int_events_sessionized') %}

visitors as (
    select * from {{ ref('int_visitors_stitched') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
),

session_totals as (
    select
        session_id,
        anonymous_id,
        min(session_number) as session_number,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        cast(sum(case when {{ is_interaction_event('event_type') }} then 1 else 0 end) as {{ dbt.type_bigint() }})
            as interaction_events,
        min(case when {{ is_interaction_event('event_type') }} then occurred_at end) as first_interaction_at,
        max(case when {{ is_interaction_event('event_type') }} then occurred_at end) as last_interaction_at,
        cast(sum(case when event_type = 'page_view' then 1 else 0 end) as {{ dbt.type_bigint() }}) as page_views,
        min(case when event_type = 'page_view' then occurred_at end) as first_page_view_at,
        max(case when event_type = 'page_view' then occurred_at end) as last_page_view_at,
        min(case when event_type = 'purchase' then event_number end) as first_purchase_event_number,
        -- counted here so that customer roll-ups read sessions rather than events
        cast(sum(case when event_type = 'add_to_cart' then 1 else 0 end) as {{ dbt.type_bigint() }}) as add_to_carts,
        cast(sum(case when event_type = 'social_share' then 1 else 0 end) as {{ dbt.type_bigint() }}) as social_shares,
        max(case when page_view_number = 1 then page_path end) as landing_page_path,
        max(case when is_last_page_view then page_path end) as exit_page_path,
        -- traffic of the first (site) event: an email click is in no session
        max(case when event_number = 1 then utm_source end) as utm_source,
        max(case when event_number = 1 then utm_medium end) as utm_medium,
        max(case when event_number = 1 then utm_campaign end) as utm_campaign,
        max(case when event_number = 1 then referrer end) as referrer,
        max(case when event_number = 1 then device_type end) as device_type,
        max(case when event_number = 1 then platform end) as platform,
        max(case when event_number = 1 then region end) as region,
        max(_sessionized_at) as _sessionized_at
    from {{ events }}
    group by session_id, anonymous_id
),

purchased_orders as (
    select distinct
        session_id,
        order_id
    from {{ events }}
    where event_type = 'purchase' and order_id is not null
),

session_orders as (
    {{ session_completed_orders('purchased_orders', 'orders') }}
),

traffic as (
    select
        session_id,
        coalesce(utm_source, '(direct)') as source_value,
        coalesce(utm_medium, '(none)') as medium_value,
        coalesce(
            nullif(lower(regexp_extract(referrer, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)), ''),
            '(none)'
        ) as referrer_host
    from session_totals
),

paths as (
    {{ conversion_paths(events, 'session_totals', var('conversion_path_steps')) }} -- noqa: PRS
),

final as (
    select
        session_totals.session_id,
        session_totals.anonymous_id,
        visitors.customer_id,
        session_totals.session_number,
        session_totals.started_at,
        session_totals.ended_at,
        {{ business_date('session_totals.started_at') }} as session_date,
        {{ seconds_between('session_totals.started_at', 'session_totals.ended_at') }} as duration_seconds,
        session_totals.page_views,
        session_totals.events,
        session_totals.interaction_events,
        session_totals.page_views = 1 and session_totals.interaction_events = 1 as is_bounce,
        (
            coalesce(
                {{ seconds_between('session_totals.first_interaction_at', 'session_totals.last_interaction_at') }},
                0
            ) >= 10
            or session_totals.page_views >= 2
            or session_totals.first_purchase_event_number is not null
        ) as is_engaged,
        session_totals.first_purchase_event_number is not null as has_purchase,
        coalesce(session_orders.orders, 0) as orders,
        cast(coalesce(session_orders.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        session_totals.landing_page_path,
        session_totals.exit_page_path,
        {{ channel_group_case('traffic.source_value', 'traffic.medium_value', 'traffic.referrer_host') }}
            as channel_group,
        session_totals.utm_source,
        session_totals.utm_medium,
        session_totals.utm_campaign,
        traffic.referrer_host,
        session_totals.device_type,
        session_totals.platform,
        session_totals.region,
        coalesce(paths.conversion_path, '(no page view)') as conversion_path,
        session_totals.add_to_carts,
        session_totals.social_shares,
        {{ is_bot_session('session_totals.page_views', 'session_totals.first_page_view_at',
                          'session_totals.last_page_view_at') }} as is_bot,
        session_totals._sessionized_at,
        {{ run_timestamp() }} as _refreshed_at
    from session_totals
    inner join traffic
        on session_totals.session_id = traffic.session_id
    left join visitors
        on session_totals.anonymous_id = visitors.anonymous_id
    left join session_orders
        on session_totals.session_id = session_orders.session_id
    left join paths
        on session_totals.session_id = paths.session_id
)

select * from final
{{ time_ordered('started_at') }}
