{#-
    Current CRM state of every customer: the record with the latest updated_at wins (ties: the
    later arrival). The e-mail address is pseudonymised here and never leaves staging in clear.
-#}

with

source as (
    select * from {{ source('crm', 'customers') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, _partition_date desc, _source_file desc, _line_number desc
        ) as version_rank
    from source
),

final as (
    select
        customer_id,
        case
            when email is not null then {{ sha256('lower(trim(email))') }}
        end as email_sha256,
        signed_up_at,
        updated_at,
        birth_year,
        gender,
        education,
        region,
        interests,
        marketing_opt_in,
        _partition_date,
        _source_file,
        _line_number
    from ranked
    where version_rank = 1
)

select * from final
