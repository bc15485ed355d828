{#- The accounts' followers per day and platform (contract §4), once per platform-day, from the
    extract that repeats them on every campaign row. The highest is kept: a lower one is most
    likely an earlier snapshot. Changes span any gap, so they add up to last minus first. -#}

with

campaign_days as (
    select * from {{ ref('stg_marketing__campaign_days') }}
    where followers is not null
),

platform_days as (
    select
        activity_date,
        platform,
        max(followers) as followers,
        min(followers) as lowest_followers,
        count(*) as campaign_rows
    from campaign_days
    group by 1, 2
),

with_previous as (
    select
        *,
        lag(followers) over platform_timeline as previous_followers,
        lag(activity_date) over platform_timeline as previous_followers_date
    from platform_days
    window platform_timeline as (partition by platform order by activity_date)
),

final as (
    select
        activity_date as {{ adapter.quote('date') }},
        platform,
        cast(followers as {{ dbt.type_bigint() }}) as followers,
        cast(followers - previous_followers as {{ dbt.type_bigint() }}) as follower_change,
        cast(followers - previous_followers as double) / nullif(previous_followers, 0) as follower_growth_rate,
        cast(previous_followers as {{ dbt.type_bigint() }}) as previous_followers,
        previous_followers_date,
        cast(campaign_rows as {{ dbt.type_bigint() }}) as campaign_rows,
        lowest_followers <> followers as has_disagreeing_campaign_rows
    from with_previous
)

select * from final
