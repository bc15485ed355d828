{#- Every loaded event's arrival day and load time, for the observation end and the incremental
    models' last seen day. A view: it shows the raw table as read, without copying it each run. -#}
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
