{#-
    One row per page-view event (contract §4): its session, page type, position in the session,
    time on page (time to the next event of the session; null for the session's last event),
    entrance and exit flags, and the stitched customer.

    Incremental like fct_sessions: page views of re-sessionized events and of visitors whose
    stitched customer changed since the last build (watermark `_refreshed_at`).
-#}
{{
    config(
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

events as (
    select * from {{ ref('int_events_sessionized') }}
    where
        event_type = 'page_view'
        {% if is_incremental() %}
            and (
                _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
                or anonymous_id in (
                    select anonymous_id from {{ ref('int_visitors_stitched') }}
                    where _changed_at > {{ incremental_watermark('_refreshed_at') }}
                )
            )
        {% endif %}
),

visitors as (
    select * from {{ ref('int_visitors_stitched') }}
),

positioned as (
    select
        *,
        row_number() over session_page_views as page_view_number,
        row_number() over (partition by session_id order by event_number desc) as page_views_to_exit
    from events
    window session_page_views as (partition by session_id order by event_number)
),

final as (
    select
        positioned.event_id,
        positioned.session_id,
        positioned.anonymous_id,
        visitors.customer_id,
        positioned.occurred_at as viewed_at,
        positioned.occurred_date as viewed_date,
        positioned.page_path,
        positioned.page_title,
        positioned.page_type,
        positioned.page_view_number,
        positioned.seconds_to_next_event as time_on_page_seconds,
        positioned.page_view_number = 1 as is_entrance,
        positioned.page_views_to_exit = 1 as is_exit,
        positioned.device_type,
        positioned.platform,
        {{ run_timestamp() }} as _refreshed_at
    from positioned
    left join visitors
        on positioned.anonymous_id = visitors.anonymous_id
)

select * from final
