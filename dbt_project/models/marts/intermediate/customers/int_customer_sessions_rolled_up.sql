{#- Web and app activity per stitched customer, from fct_sessions (one row per session, not every
    event) plus the e-mail clicks of the customer's devices. -#}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
    where customer_id is not null
),

email_clicks as (
    select
        visitors.customer_id,
        count(*) as email_clicks
    from {{ ref('int_email_events') }} as email_events
    inner join {{ ref('int_visitors_stitched') }} as visitors
        on email_events.anonymous_id = visitors.anonymous_id
    where email_events.event_type = 'email_click'
    group by visitors.customer_id
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
        sum(social_shares) as social_shares
    from sessions
    group by customer_id
),

activity as (
    select
        session_facts.*,
        coalesce(email_clicks.email_clicks, 0) as email_clicks
    from session_facts
    left join email_clicks
        on session_facts.customer_id = email_clicks.customer_id
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
    from activity
)

select * from final
