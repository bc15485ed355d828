{#- One row per page view (contract §4), incremental like fct_sessions (its post-hook restitches). -#}
{{
    config(
        partition_by=engine_partition_by('viewed_date'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        incremental_predicates=delete_from_earliest_new('viewed_at'),
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        post_hook="{{ restitch_customers(ref('int_visitors_stitched')) }}",
    )
}}

with

events as (
    select * from {{ ref('int_events_sessionized') }}
    where event_type = 'page_view'
    {% if is_incremental() %} and _sessionized_at > {{ incremental_watermark('_refreshed_at') }} {% endif %}
),

visitors as (
    select * from {{ ref('int_visitors_stitched') }}
),

final as (
    select
        page_views.event_id,
        page_views.session_id,
        page_views.anonymous_id,
        visitors.customer_id,
        page_views.occurred_at as viewed_at,
        page_views.occurred_date as viewed_date,
        page_views.page_path,
        page_views.page_title,
        page_views.page_type,
        page_views.page_view_number,
        page_views.seconds_to_next_event as time_on_page_seconds,
        page_views.page_view_number = 1 as is_entrance,
        page_views.is_last_page_view as is_exit,
        page_views.device_type,
        page_views.platform,
        {{ run_timestamp() }} as _refreshed_at
    from events as page_views
    left join visitors
        on page_views.anonymous_id = visitors.anonymous_id
)

select * from final
{{ time_ordered('viewed_at') }}
