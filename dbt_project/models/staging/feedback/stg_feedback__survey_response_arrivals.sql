{#- Every survey response delivery as it arrived, for the models that restate what changed since
    their last run. A view: it shows the raw table as it is when they read it, at no cost. -#}

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
