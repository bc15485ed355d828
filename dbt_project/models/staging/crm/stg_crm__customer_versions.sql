{#- Every CRM profile version, one per customer and business date, with the date the next one takes
    over: a profile change moves the customer's segments from that day on, never before. -#}

with

source as (
    select * from {{ source('crm', 'customers') }}
),

dated as (
    select
        *,
        {{ business_date('updated_at') }} as updated_date
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, updated_date
            order by updated_at desc, _partition_date desc, _source_file desc, _line_number desc
        ) as rank_in_day
    from dated
),

final as (
    select
        customer_id,
        updated_at,
        updated_date,
        lead(updated_date) over (partition by customer_id order by updated_date) as next_updated_date,
        row_number() over (partition by customer_id order by updated_date) = 1 as is_first_version,
        birth_year,
        gender,
        interests,
        _partition_date
    from ranked
    where rank_in_day = 1
)

select * from final
