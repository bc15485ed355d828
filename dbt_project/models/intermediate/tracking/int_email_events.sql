{#- Every off-site event (contract §2), which no session holds, with whom the email reached.
    Incremental by arrival day: a run writes the email events staged from the window's partitions. -#}
{{
    config(
        partition_by=engine_partition_by('occurred_date'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        on_schema_change='fail',
    )
}}

with

events as (
    select * from {{ ref('stg_tracking__events') }}
    where event_type in {{ off_site_event_types() }}
    {% if is_incremental() %} and {{ partition_window_filter('_partition_date') }} {% endif %}
),

final as (
    select
        event_id,
        event_type,
        anonymous_id,
        customer_id,
        coalesce(customer_id, anonymous_id) as recipient_id,
        occurred_at,
        occurred_date,
        utm_source,
        utm_medium,
        utm_campaign,
        platform,
        device_type,
        _partition_date,
        {{ run_timestamp() }} as _refreshed_at
    from events
)

select * from final
