{#- Web and app activity per stitched customer: sessions, page views, time on site, bounce,
    engagement, and the on-site actions the engagement score and behavioural segments use. -#}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
    where customer_id is not null
),

events as (
    select
        visitors.customer_id,
        events.event_type
    from {{ ref('int_events_sessionized') }} as events
    inner join {{ ref('int_visitors_stitched') }} as visitors
        on events.anonymous_id = visitors.anonymous_id
    where events.event_type in ('add_to_cart', 'social_share', 'email_click')
),

session_facts as (
    select
        customer_id,
        min(started_at) as first_session_at,
        max(ended_at) as last_session_at,
        max(session_date) as last_session_date,
        count(*) as sessions,
        sum(page_views) as page_views,
        avg(duration_seconds) as avg_session_duration_seconds,
        sum(case when is_bounce then 1 else 0 end) as bounced_sessions,
        sum(case when is_engaged then 1 else 0 end) as engaged_sessions
    from sessions
    group by customer_id
),

event_facts as (
    select
        customer_id,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_carts,
        sum(case when event_type = 'social_share' then 1 else 0 end) as social_shares,
        sum(case when event_type = 'email_click' then 1 else 0 end) as email_clicks
    from events
    group by customer_id
),

final as (
    select
        session_facts.*,
        cast(session_facts.bounced_sessions as double) / session_facts.sessions as bounce_rate,
        cast(session_facts.engaged_sessions as double) / session_facts.sessions as engaged_session_rate,
        cast(session_facts.page_views as double) / session_facts.sessions as page_views_per_session,
        coalesce(event_facts.add_to_carts, 0) as add_to_carts,
        coalesce(event_facts.social_shares, 0) as social_shares,
        coalesce(event_facts.email_clicks, 0) as email_clicks
    from session_facts
    left join event_facts
        on session_facts.customer_id = event_facts.customer_id
)

select * from final
