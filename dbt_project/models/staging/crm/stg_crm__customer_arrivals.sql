{#-
    Every CRM profile delivery as it arrived (all versions, not only one a day), for the models
    that restate what changed since their last run. A view: it must show the raw table as it is
    when the incremental model reads it, at no cost of its own.
-#}

{{ config(materialized='view') }}

with

source as (
    select * from {{ source('crm', 'customers') }}
),

final as (
    select
        customer_id,
        {{ business_date('updated_at') }} as updated_date,
        _loaded_at
    from source
)

select * from final
