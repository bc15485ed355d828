-- Cross-model promise: every deduplicated event belongs to exactly one session.
select staged.events, sessions.events
from (select count(*) as events from {{ ref('stg_tracking__events') }}) as staged
cross join (select coalesce(sum(events), 0) as events from {{ ref('fct_sessions') }}) as sessions
where staged.events <> sessions.events
