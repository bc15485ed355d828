{#-
    Every event with its session (contract §4, "Session"): a visitor's events ordered by
    occurred_at then event_id; a gap longer than `session_timeout_minutes` starts a new session.
    session_id = md5(anonymous_id | first event_id), so the same events always give the same id.

    Incremental by arrival day. For each visitor with newly staged events, sessions cannot change
    before the session holding the visitor's last existing event at or before the earliest new
    one; everything from that session's start on is sessionized again (late events can extend,
    split or merge sessions there, and renumber the ones after). Earlier sessions are untouched,
    so a daily run reads the new events and the recent history of the visitors they belong to.
-#}
-- depends_on: {{ ref('page_types') }}
{{
    config(
        unique_key='event_id',
        incremental_strategy='delete+insert',
        tags=['arrival_window'],
        on_schema_change='fail',
    )
}}

{%- set timeout_seconds = var('session_timeout_minutes') * 60 %}

with

{% if is_incremental() %}

arrived as (
    select
        anonymous_id,
        min(occurred_at) as earliest_arrived_at
    from {{ ref('stg_tracking__events') }}
    where {{ partition_window_filter('_partition_date') }}
    group by anonymous_id
),

boundaries as (
    -- The session holding a visitor's last existing event at or before their earliest new event
    -- is the first one that can change; the sessions before it keep their numbers.
    select
        arrived.anonymous_id,
        max(existing.session_started_at) as resessionize_from,
        coalesce(max(existing.session_number) - 1, 0) as sessions_before
    from arrived
    left join {{ this }} as existing
        on
            existing.anonymous_id = arrived.anonymous_id
            and existing.occurred_at <= arrived.earliest_arrived_at
    group by arrived.anonymous_id
),

events as (
    select
        staged.*,
        boundaries.sessions_before
    from {{ ref('stg_tracking__events') }} as staged
    inner join boundaries
        on staged.anonymous_id = boundaries.anonymous_id
    where
        boundaries.resessionize_from is null
        or staged.occurred_at >= boundaries.resessionize_from
),

{% else %}

events as (
    select
        *,
        0 as sessions_before
    from {{ ref('stg_tracking__events') }}
),

{% endif %}

gaps as (
    select
        *,
        {{ seconds_between('lag(occurred_at) over visitor_timeline', 'occurred_at') }} as seconds_since_previous
    from events
    window visitor_timeline as (partition by anonymous_id order by occurred_at, event_id)
),

session_starts as (
    select
        *,
        case
            when seconds_since_previous is null or seconds_since_previous > {{ timeout_seconds }} then 1
            else 0
        end as is_session_start
    from gaps
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as session_index
    from session_starts
),

in_session as (
    select
        *,
        cast(sessions_before + session_index as {{ dbt.type_bigint() }}) as session_number,
        first_value(event_id) over session_timeline as first_event_id,
        min(occurred_at) over (partition by anonymous_id, session_index) as session_started_at,
        row_number() over session_timeline as event_number,
        lead(occurred_at) over session_timeline as next_event_at,
        -- page-view positions, computed here in the same sort as the rest so the marts need no
        -- window of their own
        sum(case when event_type = 'page_view' then 1 else 0 end) over (
            partition by anonymous_id, session_index
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as page_views_so_far,
        sum(case when event_type = 'page_view' then 1 else 0 end) over (
            partition by anonymous_id, session_index
            order by occurred_at, event_id
            rows between 1 following and unbounded following
        ) as page_views_after
    from numbered
    window session_timeline as (partition by anonymous_id, session_index order by occurred_at, event_id)
),

final as (
    select
        in_session.event_id,
        {{ dbt.hash("in_session.anonymous_id || '|' || in_session.first_event_id") }} as session_id,
        in_session.anonymous_id,
        in_session.customer_id,
        in_session.session_number,
        in_session.session_started_at,
        in_session.event_number,
        in_session.occurred_at,
        in_session.occurred_date,
        in_session.event_type,
        in_session.is_known_event_type,
        in_session.page_path,
        in_session.page_title,
        case
            -- Page types match on the path alone: query strings and fragments carry no page type.
            when in_session.event_type = 'page_view'
                then {{ page_type_case("lower(regexp_replace(coalesce(in_session.page_path, ''), '[?#].*$', ''))") }}
        end as page_type,
        in_session.referrer,
        in_session.utm_source,
        in_session.utm_medium,
        in_session.utm_campaign,
        in_session.platform,
        in_session.device_type,
        in_session.region,
        in_session.product_id,
        in_session.order_id,
        in_session.experiment_id,
        in_session.variant,
        in_session.share_network,
        {{ seconds_between('in_session.occurred_at', 'in_session.next_event_at') }} as seconds_to_next_event,
        in_session.next_event_at is null as is_last_event_of_session,
        case
            when in_session.event_type = 'page_view' then cast(in_session.page_views_so_far as {{ dbt.type_bigint() }})
        end as page_view_number,
        in_session.event_type = 'page_view' and coalesce(in_session.page_views_after, 0) = 0
            as is_last_page_view,
        in_session._partition_date,
        {{ run_timestamp() }} as _sessionized_at
    from in_session
)

select * from final
