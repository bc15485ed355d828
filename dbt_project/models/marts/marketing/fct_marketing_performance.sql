{#-
    Marketing performance per day, platform and campaign (contract §4): the platforms' own
    numbers (spend in the reporting currency), the site sessions the campaign brought (landing
    utm tags) and the orders and revenue attributed to it by last touch within the session.
    CTR = clicks / impressions and ROAS = revenue / spend are computed from the counts; a campaign
    seen on site but missing from the platform extract still gets a row (without platform numbers).
    followers, followers_previous_day and follower_growth_rate are the account's, not the
    campaign's: the platform-day's figures of fct_social_audience_daily, repeated on each of its
    campaign rows, so never sum them over campaigns.
-#}

with

platform_days as (
    select * from {{ ref('stg_marketing__campaign_days') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_ranged') }}
),

converted as (
    select
        platform_days.*,
        platform_days.spend * {{ to_reporting_factor('platform_days.currency', 'source_rate', 'reporting_rate') }}
            as spend_reporting
    from platform_days
    left join fx_rates as source_rate
        on {{ fx_rate_valid_on('source_rate', 'platform_days.currency', 'platform_days.activity_date') }}
    left join fx_rates as reporting_rate
        on {{ fx_rate_valid_on('reporting_rate', "'" ~ reporting_currency() ~ "'", 'platform_days.activity_date') }}
),

audience as (
    select * from {{ ref('fct_social_audience_daily') }}
),

with_previous as (
    select
        converted.*,
        audience.followers as account_followers,
        audience.previous_followers as followers_previous_day,
        audience.follower_growth_rate
    from converted
    left join audience
        on
            converted.activity_date = audience.{{ adapter.quote('date') }}
            and converted.platform = audience.platform
),

campaign_sessions as (
    select
        session_date as activity_date,
        coalesce(utm_source, '(not set)') as platform,
        utm_campaign as campaign,
        count(*) as sessions
    from {{ ref('fct_sessions') }}
    where utm_campaign is not null
    group by 1, 2, 3
),

campaign_orders as (
    select
        order_date as activity_date,
        coalesce(utm_source, '(not set)') as platform,
        utm_campaign as campaign,
        count(*) as orders,
        sum(net_revenue) as revenue
    from {{ ref('int_orders_attributed') }}
    group by 1, 2, 3
),

site as (
    select
        coalesce(campaign_sessions.activity_date, campaign_orders.activity_date) as activity_date,
        coalesce(campaign_sessions.platform, campaign_orders.platform) as platform,
        coalesce(campaign_sessions.campaign, campaign_orders.campaign) as campaign,
        coalesce(campaign_sessions.sessions, 0) as sessions,
        coalesce(campaign_orders.orders, 0) as orders,
        coalesce(campaign_orders.revenue, 0) as revenue
    from campaign_sessions
    full outer join campaign_orders
        on
            campaign_sessions.activity_date = campaign_orders.activity_date
            and campaign_sessions.platform = campaign_orders.platform
            and campaign_sessions.campaign = campaign_orders.campaign
),

final as (
    select
        coalesce(with_previous.activity_date, site.activity_date) as {{ adapter.quote('date') }},
        coalesce(with_previous.platform, site.platform) as platform,
        coalesce(with_previous.campaign, site.campaign) as campaign,
        with_previous.platform is not null as has_platform_data,
        cast(with_previous.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(with_previous.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(with_previous.clicks as double) / nullif(with_previous.impressions, 0) as ctr,
        cast(with_previous.spend_reporting as {{ dbt.type_numeric() }}) as spend,
        cast(with_previous.reach as {{ dbt.type_bigint() }}) as reach,
        cast(with_previous.likes as {{ dbt.type_bigint() }}) as likes,
        cast(with_previous.comments as {{ dbt.type_bigint() }}) as comments,
        cast(with_previous.shares as {{ dbt.type_bigint() }}) as shares,
        cast(with_previous.account_followers as {{ dbt.type_bigint() }}) as followers,
        cast(with_previous.followers_previous_day as {{ dbt.type_bigint() }}) as followers_previous_day,
        with_previous.follower_growth_rate,
        cast(coalesce(site.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(site.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(site.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(coalesce(site.revenue, 0) as double) / nullif(with_previous.spend_reporting, 0) as roas,
        with_previous.currency as spend_currency,
        with_previous.spend as spend_original_currency
    from with_previous
    full outer join site
        on
            with_previous.activity_date = site.activity_date
            and with_previous.platform = site.platform
            and with_previous.campaign = site.campaign
)

select * from final
