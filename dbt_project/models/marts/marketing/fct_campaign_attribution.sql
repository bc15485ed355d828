{#- Contract §4: conversions and revenue credited per day (of the order), model, channel group and
    campaign, beside the platforms' spend. A platform's spend goes to the channel group its tagged
    touches (utm_source = platform, utm_campaign = campaign) are credited in, on every model's row;
    spend whose touches were never credited keeps its own row, so spend ties out to the extract.
    A table: it reads the credits once, grouped to campaign-days. -#}

with

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

performance as (
    select * from {{ ref('fct_marketing_performance') }}
    where spend is not null
),

platform_groups as (
    -- the channel group a platform's campaign is credited in most often (ties: by name)
    select
        utm_source,
        utm_campaign,
        channel_group
    from (
        select
            utm_source,
            utm_campaign,
            channel_group,
            row_number() over (
                partition by utm_source, utm_campaign order by count(*) desc, channel_group
            ) as group_rank
        from credits
        where utm_campaign is not null
        group by utm_source, utm_campaign, channel_group
    ) as ranked
    where group_rank = 1
),

spend as (
    select
        performance.{{ adapter.quote('date') }} as activity_date,
        coalesce(platform_groups.channel_group, '(not credited)') as channel_group,
        performance.campaign as utm_campaign,
        sum(performance.spend) as spend
    from performance
    left join platform_groups
        on performance.platform = platform_groups.utm_source and performance.campaign = platform_groups.utm_campaign
    group by
        performance.{{ adapter.quote('date') }},
        coalesce(platform_groups.channel_group, '(not credited)'),
        performance.campaign
),

credited as (
    select
        order_date as activity_date,
        model,
        channel_group,
        utm_campaign,
        sum(credit) as conversions,
        sum(revenue_credit) as revenue
    from credits
    group by order_date, model, channel_group, utm_campaign
),

models as (
    {{ attribution_model_rows() }}
),

spend_by_model as (
    -- the spend on every model's rows: each model shares out the same conversions
    select
        spend.*,
        models.model
    from spend
    cross join models
),

final as (
    select
        coalesce(credited.activity_date, spend_by_model.activity_date) as {{ adapter.quote('date') }},
        coalesce(credited.model, spend_by_model.model) as model,
        coalesce(credited.channel_group, spend_by_model.channel_group) as channel_group,
        coalesce(credited.utm_campaign, spend_by_model.utm_campaign) as utm_campaign,
        cast(coalesce(credited.conversions, 0) as double) as conversions,
        cast(coalesce(credited.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(spend_by_model.spend as {{ dbt.type_numeric() }}) as spend,
        cast(coalesce(credited.revenue, 0) as double) / nullif(spend_by_model.spend, 0) as roas
    from credited
    full outer join spend_by_model
        on
            credited.activity_date = spend_by_model.activity_date
            and credited.model = spend_by_model.model
            and credited.channel_group = spend_by_model.channel_group
            and credited.utm_campaign = spend_by_model.utm_campaign
)

select * from final
