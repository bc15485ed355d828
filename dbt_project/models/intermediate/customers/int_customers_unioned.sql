{#- Every customer known from any source (CRM, orders, events, surveys), once. -#}

with

ids as (
    select
        customer_id,
        'crm' as known_from
    from {{ ref('stg_crm__customers') }}
    union all
    select
        customer_id,
        'orders' as known_from
    from {{ ref('int_orders_converted') }}
    union all
    select
        customer_id,
        'events' as known_from
    from {{ ref('int_visitors_stitched') }}
    union all
    select
        customer_id,
        'surveys' as known_from
    from {{ ref('stg_feedback__survey_responses') }}
),

final as (
    select
        customer_id,
        max(case when known_from = 'crm' then 1 else 0 end) = 1 as has_crm_record,
        {{ ordered_listagg('known_from', "','", 'known_from', distinct=true) }} as known_from
    from ids
    where customer_id is not null
    group by customer_id
)

select * from final
