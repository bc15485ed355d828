{#- Closed funnel per session day and step (contract §4, "Funnel"). Incremental: restates whole
    days whose sessions were sessionized again since its last run (unique_key `date`). -#}
{{
    config(
        partition_by=engine_partition_by('date'),
        unique_key='date',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

{% if is_incremental() %}
touched_days as (
    -- the sessionizer rewrites whole sessions, first event included, so a session that grew,
    -- moved its start or merged away has its old and new start day among these days
    select distinct occurred_date as session_date
    from {{ ref('int_events_sessionized') }}
    where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
),
{% endif %}

session_events as (
    -- every event of the day's sessions but bots' (contract §4, "Bots")
    select
        session_id,
        {{ business_date('session_started_at') }} as session_date,
        event_number,
        event_type,
        page_type
    from {{ ref('int_events_sessionized') }}
    where
        session_id not in (
            select bots.session_id from {{ ref('fct_sessions') }} as bots
            where bots.is_bot
        )
    {% if is_incremental() %}
        and {{ business_date('session_started_at') }} in (select touched_days.session_date from touched_days)
        -- a session's events come at or after its start
        and occurred_date >= (select min(touched_days.session_date) from touched_days)
    {% endif %}
),

steps as (
    select * from {{ ref('funnel_steps') }}
),

step_events as (
    select
        session_events.session_id,
        steps.step_number,
        session_events.event_number
    from session_events
    inner join steps
        on
            session_events.event_type = steps.event_type
            and (steps.page_type is null or session_events.page_type = steps.page_type)
),

reached as (
    {{ closed_funnel_reached('step_events') }} -- noqa: PRS
),

reached_per_day as (
    select
        session_events.session_date,
        reached.step_number,
        count(*) as sessions
    from reached
    inner join session_events
        -- the session's day, from its first event
        on reached.session_id = session_events.session_id and session_events.event_number = 1
    group by session_events.session_date, reached.step_number
),

step_sessions as (
    -- every step on every day with sessions, 0 where no session reached it
    select
        days.session_date,
        steps.step_number,
        steps.step_name,
        cast(coalesce(reached_per_day.sessions, 0) as {{ dbt.type_bigint() }}) as sessions
    from (select distinct session_date from session_events) as days
    cross join steps
    left join reached_per_day
        on days.session_date = reached_per_day.session_date and steps.step_number = reached_per_day.step_number
),

with_previous as (
    select
        *,
        lag(sessions) over (partition by session_date order by step_number) as previous_sessions
    from step_sessions
),

final as (
    select
        session_date as {{ adapter.quote('date') }},
        step_number,
        step_name,
        sessions,
        cast(sessions as double) / nullif(previous_sessions, 0) as conversion_from_previous,
        1 - cast(sessions as double) / nullif(previous_sessions, 0) as abandonment_rate,
        {{ run_timestamp() }} as _refreshed_at
    from with_previous
)

select * from final
