{#- Page performance per day and page path (contract §4), from fct_page_views: a run restates whole
    days with page views sessionized again since its last run (unique_key `date`). -#}
-- depends_on (read to find the restated days): {{ ref('int_events_sessionized') }}
{{
    config(
        partition_by=engine_partition_by('date'),
        unique_key='date',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

sessions as (
    -- the one place sessions are read: bot sessions are left out (contract §4, "Bots")
    select
        session_id,
        is_bounce
    from {{ ref('fct_sessions') }}
    where not is_bot
),

page_views as (
    select
        page_views.*,
        sessions.is_bounce as is_session_bounce
    from {{ ref('fct_page_views') }} as page_views
    inner join sessions
        on page_views.session_id = sessions.session_id
    {% if is_incremental() %}
        where page_views.viewed_date in (
            -- a late event rewrites its whole session, so the days of re-sessionized page views
            -- are the only ones whose figures can change (bounce and exit flags included)
            select events.occurred_date from {{ ref('int_events_sessionized') }} as events
            where events.event_type = 'page_view' and events._sessionized_at > {{ incremental_watermark('_refreshed_at') }}
        )
    {% endif %}
),

final as (
    select
        page_views.viewed_date as {{ adapter.quote('date') }},
        coalesce(page_views.page_path, '(not set)') as page_path,
        max(page_views.page_type) as page_type,
        cast(count(*) as {{ dbt.type_bigint() }}) as page_views,
        cast(count(distinct page_views.anonymous_id) as {{ dbt.type_bigint() }}) as visitors,
        cast(sum(case when page_views.is_entrance then 1 else 0 end) as {{ dbt.type_bigint() }}) as entrances,
        cast(sum(case when page_views.is_exit then 1 else 0 end) as {{ dbt.type_bigint() }}) as exits,
        cast(
            sum(case when page_views.is_entrance and page_views.is_session_bounce then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as bounces,
        cast(coalesce(sum(page_views.time_on_page_seconds), 0) as double) as time_on_page_seconds_sum,
        cast(count(page_views.time_on_page_seconds) as {{ dbt.type_bigint() }}) as time_on_page_count,
        {{ run_timestamp() }} as _refreshed_at
    from page_views
    group by 1, 2
)

select * from final
