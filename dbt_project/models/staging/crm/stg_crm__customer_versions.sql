{#-
    Every CRM profile version of every customer, one per customer and business date of its
    updated_at (the latest that day wins, ties broken by the later arrival, as in
    stg_crm__customers), with the date the next version takes over. customer_segment_history
    reads the profile as of each day from it, so a profile change moves the customer's
    demographic and psychographic segments from that day on, never before. The first version
    also stands for the days before it (what the customer was when first seen). No e-mail here.
-#}

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
