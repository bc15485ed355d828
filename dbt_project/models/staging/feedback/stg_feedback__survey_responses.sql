{#- One row per survey response; a response delivered again keeps its latest delivery. -#}

with

source as (
    select * from {{ source('feedback', 'surveys') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by response_id
            order by _partition_date desc, _source_file desc, _line_number desc
        ) as delivery_rank
    from source
),

final as (
    select
        response_id,
        survey_type,
        customer_id,
        submitted_at,
        {{ business_date('submitted_at') }} as submitted_date,
        score,
        {{ adapter.quote('trigger') }} as survey_trigger,
        order_id,
        channel,
        comment,
        _partition_date,
        _source_file,
        _line_number,
        _loaded_at
    from ranked
    where delivery_rank = 1
)

select * from final
