{#- int_events_sessionized, incremental: the staged site events a run sessionizes again, each
    with `sessions_before`, the number of its visitor's sessions before them that stay as stored.
    Sessions cannot change before a visitor's earliest new event, except the session it joins
    (the latest started by then, if the event falls in it or within the timeout after its end):
    the visitor is redone from that session's start, or else from the new event. -#}
{% macro events_to_resessionize(staged_events, timeout_seconds) %}
    with

    arrived as (
        select
            anonymous_id,
            min(occurred_at) as earliest_arrived_at
        from {{ staged_events }}
        where
            {{ partition_window_filter('_partition_date') }}
            -- an off-site event arriving must not reopen the visitor's sessions
            and {{ is_site_event('event_type') }}
        group by anonymous_id
    ),

    session_ends as (
        -- a session's last event carries its start and number: the sessions in a fifth of the rows
        select
            anonymous_id,
            session_started_at,
            session_number,
            occurred_at as session_ended_at
        from {{ this }}
        where is_last_event_of_session
    ),

    sessions_started_before as (
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
        -- the sessions before the boundary (none for a visitor without one) are final
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
    )

    select
        staged.*,
        boundaries.sessions_before
    from {{ staged_events }} as staged
    inner join boundaries
        on staged.anonymous_id = boundaries.anonymous_id
    where
        staged.occurred_at >= boundaries.resessionize_from
        -- one bound for all visitors at once, which DuckDB prunes the scan with
        and staged.occurred_at >= (select min(earliest.resessionize_from) from boundaries as earliest)
{% endmacro %}
