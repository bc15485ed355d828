-- Cross-model promise: every deduplicated site event belongs to exactly one session, and every
-- off-site event (email open or click, contract §2) to none: it is in int_email_events instead.
select staged.site_events, sessions.events, staged.off_site_events, email_events.events
from (
    select
        sum(case when {{ is_site_event('event_type') }} then 1 else 0 end) as site_events,
        sum(case when {{ is_site_event('event_type') }} then 0 else 1 end) as off_site_events
    from {{ ref('stg_tracking__events') }}
) as staged
cross join (select coalesce(sum(events), 0) as events from {{ ref('fct_sessions') }}) as sessions
cross join (select count(*) as events from {{ ref('int_email_events') }}) as email_events
where
    coalesce(staged.site_events, 0) <> sessions.events
    or coalesce(staged.off_site_events, 0) <> email_events.events
