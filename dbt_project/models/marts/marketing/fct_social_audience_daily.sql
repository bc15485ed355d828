{#-
    The accounts' audience per day and platform (contract §4, marts added in version 2): the
    followers at the end of the day, once per platform and day, never summed over campaigns.

    The marketing extract repeats the account's end-of-day followers on every campaign row of a
    platform and day. One value is kept per platform-day: the highest, as a lower one is most
    likely a snapshot taken earlier in the day; campaign rows that disagree are flagged
    (has_disagreeing_campaign_rows, a warning test). Platform-days where no campaign row reports
    followers (search ads, e-mail) have no row.

    follower_change = followers − the followers of the platform's previous reported day (null on
    its first), follower_growth_rate = follower_change / those previous followers. Over a gap in
    the extract the change spans the gap (previous_followers_date says so), so the changes of a
    platform always add up to its last minus its first followers.
-#}

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
