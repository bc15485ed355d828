{#-
    Every order line export as it arrived (all exports, not only the latest): the models that
    restate what changed since their last run find the orders delivered again, and every date
    such an order was ever placed on, here. A view: it must show the raw table as it is when the
    incremental model reads it, at no cost of its own.
-#}

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
