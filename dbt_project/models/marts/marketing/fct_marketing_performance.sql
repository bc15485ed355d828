{#- Marketing performance per day, platform and campaign (contract §4): the platforms' numbers, and
    the site sessions and orders the campaign brought, on one row whichever side has the campaign. -#}

with

platform_days as (
    select * from {{ ref('stg_marketing__campaign_days') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_ranged') }}
),

audience as (
    select * from {{ ref('fct_social_audience_daily') }}
),

site as (
    select * from {{ ref('int_campaign_days_counted') }}
),

reported as (
    -- the account's followers are the platform-day's, repeated on each of its campaign rows
    select
        platform_days.*,
        platform_days.spend * {{ to_reporting_factor('platform_days.currency', 'source_rate', 'reporting_rate') }}
            as spend_reporting,
        audience.followers as account_followers,
        audience.previous_followers as followers_previous_day,
        audience.follower_growth_rate
    from platform_days
    left join fx_rates as source_rate
        on {{ fx_rate_valid_on('source_rate', 'platform_days.currency', 'platform_days.activity_date') }}
    left join fx_rates as reporting_rate
        on {{ fx_rate_valid_on('reporting_rate', "'" ~ reporting_currency() ~ "'", 'platform_days.activity_date') }}
    left join audience
        on
            platform_days.activity_date = audience.{{ adapter.quote('date') }}
            and platform_days.platform = audience.platform
),

final as (
    select
        coalesce(reported.activity_date, site.activity_date) as {{ adapter.quote('date') }},
        coalesce(reported.platform, site.platform) as platform,
        coalesce(reported.campaign, site.campaign) as campaign,
        reported.platform is not null as has_platform_data,
        cast(reported.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(reported.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(reported.clicks as double) / nullif(reported.impressions, 0) as ctr,
        cast(reported.spend_reporting as {{ dbt.type_numeric() }}) as spend,
        cast(reported.reach as {{ dbt.type_bigint() }}) as reach,
        cast(reported.likes as {{ dbt.type_bigint() }}) as likes,
        cast(reported.comments as {{ dbt.type_bigint() }}) as comments,
        cast(reported.shares as {{ dbt.type_bigint() }}) as shares,
        cast(reported.account_followers as {{ dbt.type_bigint() }}) as followers,
        cast(reported.followers_previous_day as {{ dbt.type_bigint() }}) as followers_previous_day,
        reported.follower_growth_rate,
        cast(coalesce(site.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(site.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(site.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(coalesce(site.revenue, 0) as double) / nullif(reported.spend_reporting, 0) as roas,
        reported.currency as spend_currency,
        reported.spend as spend_original_currency
    from reported
    full outer join site
        on
            reported.activity_date = site.activity_date
            and reported.platform = site.platform
            and reported.campaign = site.campaign
)

select * from final
