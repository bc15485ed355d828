{#- Every site event with its session (contract §4): a gap over `session_timeout_minutes` in a
    visitor's timeline starts one. Incremental: redoes each touched visitor from the first session
    a new event can change (macros/incremental/resessionize.sql). -#}
-- depends_on: {{ ref('page_types') }}
{{
    config(
        partition_by=engine_partition_by('occurred_date'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        incremental_predicates=delete_from_earliest_new('occurred_at'),
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_sessionized_at'},
        on_schema_change='fail',
    )
}}

{%- set timeout_seconds = var('session_timeout_minutes') * 60 %}
{#- A full refresh reads the staged table directly: a CTE read three times is materialised whole. -#}
{%- set events = 'events_to_resessionize' if is_incremental() else ref('stg_tracking__events') %}

with

{% if is_incremental() %}
events_to_resessionize as ({{ events_to_resessionize(ref('stg_tracking__events'), timeout_seconds) }}),
{% endif %}

{#- Window functions carry every column through their sort: the timeline sorts the keys alone. -#}
timeline as (
    select
        event_id,
        anonymous_id,
        occurred_at,
        {{ 'sessions_before' if is_incremental() else '0' }} as sessions_before,
        case when event_type = 'page_view' then 1 else 0 end as is_page_view,
        lag(occurred_at) over visitor_timeline as previous_event_at,
        lead(occurred_at) over visitor_timeline as following_event_at,
        row_number() over visitor_timeline as visitor_event_number,
        sum(case when event_type = 'page_view' then 1 else 0 end) over running as page_views_through
    from {{ events }}
    where {{ is_site_event('event_type') }}
    -- each window spelled out whole: Spark names windows but cannot extend one with a frame
    window
        visitor_timeline as (partition by anonymous_id order by occurred_at, event_id),
        running as (
            partition by anonymous_id order by occurred_at, event_id
            rows between unbounded preceding and current row
        )
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
    -- running values read back at each session's first event; a page view is the session's last
    -- when the visitor's page-view count reaches the one just before their next session
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
            min(case when is_session_start then page_views_through - is_page_view end) over later,
            max(page_views_through) over whole_timeline
        ) as is_last_page_view,
        case when not is_session_end then following_event_at end as next_event_at,
        is_session_end
    from bounded
    window
        running as (
            partition by anonymous_id order by occurred_at, event_id
            rows between unbounded preceding and current row
        ),
        later as (
            partition by anonymous_id order by occurred_at, event_id
            rows between 1 following and unbounded following
        ),
        whole_timeline as (
            partition by anonymous_id order by occurred_at, event_id
            rows between unbounded preceding and unbounded following
        )
),

page_types as (
    -- once per distinct path, without query string or fragment
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
