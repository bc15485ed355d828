{#-
    Every site event with its session (contract §4, "Session"): a visitor's events ordered by
    occurred_at then event_id; a gap longer than `session_timeout_minutes` starts a new session.
    session_id = md5(anonymous_id | first event_id), so the same events always give the same id.
    Off-site events (email opens and clicks, contract §2) are left out: they neither start, extend
    nor belong to a session, in a full refresh and in daily runs alike (int_email_events has them).

    Incremental by arrival day. For each visitor with newly staged events, sessions cannot change
    before the earliest new event, except the session it joins (the latest one started by then,
    if the event falls in it or within the timeout after its end). Everything from that session's
    start on, or else from the earliest new event on, is sessionized again (late events can
    extend or merge sessions there, and renumber the ones after). Earlier sessions are untouched,
    so a daily run reads the new events and the recent history of the visitors they belong to.
    Every event this run replaces is at or after the earliest event it writes (deliveries of an
    event share its time), which bounds the delete of the replaced rows.
-#}
-- depends_on: {{ ref('page_types') }}
{{
    config(
        unique_key='event_id',
        incremental_strategy='delete+insert',
        incremental_predicates=[
            'DBT_INTERNAL_DEST.occurred_at >= (select min(occurred_at) from DBT_INTERNAL_SOURCE)'
        ],
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_sessionized_at'},
        on_schema_change='fail',
    )
}}

{%- set timeout_seconds = var('session_timeout_minutes') * 60 %}
{#- The events to sessionize. A full refresh reads the staged table directly wherever it needs it:
    a CTE read three times would be materialised whole, every column of every event. -#}
{%- set events = 'events' if is_incremental() else ref('stg_tracking__events') %}

with

{% if is_incremental() %}

arrived as (
    select
        anonymous_id,
        min(occurred_at) as earliest_arrived_at
    from {{ ref('stg_tracking__events') }}
    where
        {{ partition_window_filter('_partition_date') }}
        -- an off-site event arriving must not reopen the visitor's sessions
        and {{ is_site_event('event_type') }}
    group by anonymous_id
),

session_ends as (
    -- A session's last event carries the session's start and number, and is its end: the
    -- sessions of the history, in a fifth of its rows.
    select
        anonymous_id,
        session_started_at,
        session_number,
        occurred_at as session_ended_at
    from {{ this }}
    where is_last_event_of_session
),

sessions_started_before as (
    -- each visitor's sessions started at or before their earliest new event
    select
        arrived.anonymous_id,
        arrived.earliest_arrived_at,
        ends.session_started_at,
        ends.session_number,
        ends.session_ended_at
    from arrived
    inner join session_ends as ends
        on
            arrived.anonymous_id = ends.anonymous_id
            and ends.session_started_at <= arrived.earliest_arrived_at
),

latest_started as (
    select
        anonymous_id,
        max(session_started_at) as session_started_at
    from sessions_started_before
    group by anonymous_id
),

latest_sessions as (
    -- The latest session started by the earliest new event is joined by it when the event falls
    -- in the session or within the timeout after its end.
    select
        latest.anonymous_id,
        latest.session_started_at,
        latest.session_number,
        {{ seconds_between('latest.session_ended_at', 'latest.earliest_arrived_at') }} <= {{ timeout_seconds }}
            as is_joined
    from latest_started
    inner join sessions_started_before as latest
        on
            latest_started.anonymous_id = latest.anonymous_id
            and latest_started.session_started_at = latest.session_started_at
),

boundaries as (
    -- Where each visitor's timeline is sessionized again: from the start of the session their
    -- earliest new event joins, after the sessions before it; else from that event, after every
    -- session started by then (none for a visitor without one), which are final.
    select
        arrived.anonymous_id,
        case
            when latest.is_joined then latest.session_started_at
            else arrived.earliest_arrived_at
        end as resessionize_from,
        case
            when latest.is_joined then latest.session_number - 1
            else coalesce(latest.session_number, 0)
        end as sessions_before
    from arrived
    left join latest_sessions as latest
        on arrived.anonymous_id = latest.anonymous_id
),

events as (
    select
        staged.*,
        boundaries.sessions_before
    from {{ ref('stg_tracking__events') }} as staged
    inner join boundaries
        on staged.anonymous_id = boundaries.anonymous_id
    where
        staged.occurred_at >= boundaries.resessionize_from
        -- the same bound for all visitors at once, which DuckDB prunes the scan with
        and staged.occurred_at >= (select min(earliest.resessionize_from) from boundaries as earliest)
),

{% endif %}

{#- The session rule needs only these columns. Window functions carry every column they are given
    through their sort, so the timeline is computed on the keys alone, in one ordering of each
    visitor's events, and joined back to the rest of the event by event_id. -#}
timeline as (
    select
        event_id,
        anonymous_id,
        occurred_at,
        {{ '0' if not is_incremental() else 'sessions_before' }} as sessions_before,
        case when event_type = 'page_view' then 1 else 0 end as is_page_view,
        lag(occurred_at) over visitor_timeline as previous_event_at,
        lead(occurred_at) over visitor_timeline as following_event_at,
        row_number() over visitor_timeline as visitor_event_number,
        sum(case when event_type = 'page_view' then 1 else 0 end) over (
            visitor_timeline rows between unbounded preceding and current row
        ) as page_views_through
    from {{ events }}
    where {{ is_site_event('event_type') }}
    window visitor_timeline as (partition by anonymous_id order by occurred_at, event_id)
),

bounded as (
    select
        *,
        previous_event_at is null
        or {{ seconds_between('previous_event_at', 'occurred_at') }} > {{ timeout_seconds }} as is_session_start,
        following_event_at is null
        or {{ seconds_between('occurred_at', 'following_event_at') }} > {{ timeout_seconds }} as is_session_end
    from timeline
),

in_session as (
    -- Running values over the visitor's timeline, read at each session's first event: the
    -- session's number, first event and start, and the event's and page view's positions in it.
    -- page_views_at_session_end is the visitor's page-view count just before their next session
    -- (or at their last event), which a page view equals when it is its session's last.
    select
        event_id,
        cast(
            sessions_before + sum(case when is_session_start then 1 else 0 end) over running
            as {{ dbt.type_bigint() }}
        ) as session_number,
        {{ last_non_null_value('case when is_session_start then event_id end') }} over running as first_event_id,
        max(case when is_session_start then occurred_at end) over running as session_started_at,
        cast(
            visitor_event_number + 1 - max(case when is_session_start then visitor_event_number end) over running
            as {{ dbt.type_bigint() }}
        ) as event_number,
        case
            when is_page_view = 1
                then cast(
                    page_views_through
                    - max(case when is_session_start then page_views_through - is_page_view end) over running
                    as {{ dbt.type_bigint() }}
                )
        end as page_view_number,
        is_page_view = 1 and page_views_through = coalesce(
            min(case when is_session_start then page_views_through - is_page_view end) over (
                visitor_timeline rows between 1 following and unbounded following
            ),
            max(page_views_through) over (
                visitor_timeline rows between unbounded preceding and unbounded following
            )
        ) as is_last_page_view,
        case when not is_session_end then following_event_at end as next_event_at,
        is_session_end
    from bounded
    window
        visitor_timeline as (partition by anonymous_id order by occurred_at, event_id),
        running as (visitor_timeline rows between unbounded preceding and current row)
),

page_types as (
    -- Page types match on the path alone (query strings and fragments carry no page type), and
    -- are worked out once per distinct path rather than once per page view.
    select
        path,
        {{ page_type_case("lower(regexp_replace(path, '[?#].*$', ''))") }} as page_type
    from (
        select distinct coalesce(page_path, '') as path
        from {{ events }}
        where event_type = 'page_view'
    ) as paths
),

final as (
    select
        events.event_id,
        {{ dbt.hash("events.anonymous_id || '|' || in_session.first_event_id") }} as session_id,
        events.anonymous_id,
        events.customer_id,
        in_session.session_number,
        in_session.session_started_at,
        in_session.event_number,
        events.occurred_at,
        events.occurred_date,
        events.event_type,
        events.is_known_event_type,
        events.page_path,
        events.page_title,
        case when events.event_type = 'page_view' then page_types.page_type end as page_type,
        events.referrer,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.platform,
        events.device_type,
        events.region,
        events.product_id,
        events.order_id,
        events.experiment_id,
        events.variant,
        events.share_network,
        {{ seconds_between('events.occurred_at', 'in_session.next_event_at') }} as seconds_to_next_event,
        in_session.is_session_end as is_last_event_of_session,
        in_session.page_view_number,
        in_session.is_last_page_view,
        events._partition_date,
        {{ run_timestamp() }} as _sessionized_at
    from {{ events }} as events
    inner join in_session
        on events.event_id = in_session.event_id
    left join page_types
        on coalesce(events.page_path, '') = page_types.path
)

select * from final
