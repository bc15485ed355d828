{#-
    Every purchase event with its visitor, session, time and order: the few fields the experiment
    outcomes and the sessions of changed orders need, kept apart so that a daily run reads a
    fraction of a percent of the events instead of every event of history.

    Incremental by event: a run replaces the purchase events sessionized since its last run (a
    re-sessionized event carries its new session id).
-#}
{{
    config(
        materialized='incremental',
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
        order_id
    from {{ ref('int_events_sessionized') }}
    where
        event_type = 'purchase'
    {% if is_incremental() %}
        and _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
    {% endif %}
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from purchases
)

select * from final
