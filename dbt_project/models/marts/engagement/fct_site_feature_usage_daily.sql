{#- On-site feature use per day and feature (contract §4); the features are the event types of the
    site_features seed. A run restates whole days with feature events sessionized again since its
    last run (unique_key `date`): a late event rewrites its whole session, so a session that gains
    a purchase restates the days of its feature events too. -#}
{{
    config(
        partition_by=engine_partition_by('date'),
        unique_key='date',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

site_features as (
    select * from {{ ref('site_features') }}
),

sessions as (
    -- the one place sessions are read: bot sessions are left out (contract §4, "Bots")
    select
        session_id,
        has_purchase
    from {{ ref('fct_sessions') }}
    where not is_bot
),

feature_events as (
    select
        events.occurred_date,
        events.session_id,
        events.anonymous_id,
        site_features.feature,
        sessions.has_purchase
    from {{ ref('int_events_sessionized') }} as events
    inner join site_features
        on events.event_type = site_features.event_type
    inner join sessions
        on events.session_id = sessions.session_id
    {% if is_incremental() %}
        where events.occurred_date in (
            select new_events.occurred_date from {{ ref('int_events_sessionized') }} as new_events
            where
                new_events._sessionized_at > {{ incremental_watermark('_refreshed_at') }}
                and new_events.event_type in (select site_features.event_type from site_features)
        )
    {% endif %}
),

final as (
    select
        occurred_date as {{ adapter.quote('date') }},
        feature,
        cast(count(*) as {{ dbt.type_bigint() }}) as events,
        cast(count(distinct session_id) as {{ dbt.type_bigint() }}) as sessions,
        cast(count(distinct anonymous_id) as {{ dbt.type_bigint() }}) as visitors,
        cast(count(distinct case when has_purchase then session_id end) as {{ dbt.type_bigint() }})
            as converting_sessions,
        {{ run_timestamp() }} as _refreshed_at
    from feature_events
    group by 1, 2
)

select * from final
