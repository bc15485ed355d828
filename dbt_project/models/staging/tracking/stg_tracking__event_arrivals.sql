{#-
    Every loaded event's arrival day and load time (raw rows, before deduplication): the
    observation end is the last arrival day loaded, and the incremental models find the last day
    their previous run saw here. A view: it must show the raw table as it is when read, and
    copying every event's arrival would cost a scan of all events each run.
-#}

{{ config(materialized='view') }}

with

source as (
    select * from {{ source('tracking', 'events') }}
),

final as (
    select
        _partition_date,
        _loaded_at
    from source
)

select * from final
