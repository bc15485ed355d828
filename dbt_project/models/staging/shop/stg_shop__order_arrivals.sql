{#- Every order line export as it arrived, for the models that restate the orders exported again
    since their last run. A view: it shows the raw table as it is when they read it, at no cost. -#}

{{ config(materialized='view') }}

with

source as (
    select * from {{ source('shop', 'orders') }}
),

final as (
    select
        order_id,
        customer_id,
        {{ business_date('ordered_at') }} as ordered_date,
        _partition_date,
        _loaded_at
    from source
)

select * from final
