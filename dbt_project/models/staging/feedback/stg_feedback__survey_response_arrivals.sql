{#-
    Every survey response delivery as it arrived (all deliveries, not only the latest), for the
    models that restate what changed since their last run. A view: it must show the raw table as
    it is when the incremental model reads it, at no cost of its own.
-#}

{{ config(materialized='view') }}

with

source as (
    select * from {{ source('feedback', 'surveys') }}
),

final as (
    select
        response_id,
        {{ business_date('submitted_at') }} as submitted_date,
        _loaded_at
    from source
)

select * from final
