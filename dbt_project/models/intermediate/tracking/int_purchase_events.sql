{#- Purchase events apart, so that their readers scan a fraction of the events; a run replaces
    the purchase events sessionized since its last one. -#}
{{
    config(
        partition_by=engine_partition_by('occurred_date'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

purchases as (
    select
        event_id,
        anonymous_id,
        session_id,
        occurred_at,
        occurred_date,
        order_id
    from {{ ref('int_events_sessionized') }}
    where event_type = 'purchase'
    {% if is_incremental() %} and _sessionized_at > {{ incremental_watermark('_refreshed_at') }} {% endif %}
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from purchases
)

select * from final
