{#- Each visitor's first exposure of each experiment (contract §4, A/B results): the earliest by
    time, then event id. Exposures with no experiment or no variant are ignored. -#}
{{
    config(
        materialized='incremental',
        partition_by=engine_partition_by('exposed_date'),
        unique_key=['experiment_id', 'anonymous_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

new_exposures as (
    select
        experiment_id,
        anonymous_id,
        variant,
        occurred_at as exposed_at,
        occurred_date as exposed_date,
        event_id as exposure_event_id
    from {{ ref('int_events_sessionized') }}
    where
        event_type = 'experiment_exposure' and experiment_id is not null and variant is not null
    {% if is_incremental() %}
        and _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
    {% endif %}
),

{% if is_incremental() %}
stored_first_exposures as (
    {{ stored_rows_touched_by('new_exposures', keys=['experiment_id', 'anonymous_id'],
                              columns=['experiment_id', 'anonymous_id', 'variant', 'exposed_at', 'exposed_date',
                                       'exposure_event_id']) }}
),
{% endif %}

candidates as (
    select * from new_exposures
    {% if is_incremental() %}
    union all
    select * from stored_first_exposures
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by experiment_id, anonymous_id order by exposed_at, exposure_event_id
        ) as exposure_number
    from candidates
),

final as (
    select
        experiment_id,
        anonymous_id,
        variant,
        exposed_at,
        exposed_date,
        exposure_event_id,
        {{ run_timestamp() }} as _refreshed_at
    from ranked
    where exposure_number = 1
)

select * from final
