{#- Site sessions (by landing utm tags) and last-touch orders per day, platform and campaign. A view:
    fct_marketing_performance reads it once, so it needs no table of its own. -#}

{{ config(materialized='view') }}

with

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

final as (
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
)

select * from final
