{#- One row per day, platform and campaign; a row exported again keeps its latest delivery. -#}

with

source as (
    select * from {{ source('marketing', 'marketing') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by date, platform, campaign
            order by _partition_date desc, _source_file desc, _line_number desc
        ) as delivery_rank
    from source
),

final as (
    select
        date as activity_date,
        platform,
        campaign,
        impressions,
        clicks,
        spend,
        currency,
        reach,
        likes,
        comments,
        shares,
        followers,
        _partition_date,
        _source_file,
        _line_number,
        _loaded_at
    from ranked
    where delivery_rank = 1
)

select * from final
