{#- Web and app activity per stitched customer: sessions, page views, time on site, bounce,
    engagement, and the on-site actions the engagement score and behavioural segments use.
    Everything comes from fct_sessions (the actions are counted per session there), so the
    roll-up reads one row per session rather than every event of history. -#}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
    where customer_id is not null
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
        sum(case when is_engaged then 1 else 0 end) as engaged_sessions,
        sum(add_to_carts) as add_to_carts,
        sum(social_shares) as social_shares,
        sum(email_clicks) as email_clicks
    from sessions
    group by customer_id
),

final as (
    select
        customer_id,
        first_session_at,
        last_session_at,
        last_session_date,
        sessions,
        page_views,
        avg_session_duration_seconds,
        bounced_sessions,
        engaged_sessions,
        cast(bounced_sessions as double) / sessions as bounce_rate,
        cast(engaged_sessions as double) / sessions as engaged_session_rate,
        cast(page_views as double) / sessions as page_views_per_session,
        add_to_carts,
        social_shares,
        email_clicks
    from session_facts
)

select * from final
