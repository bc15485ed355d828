{#- One row per customer with channels: what dim_customers shows of customer_channel_mix. -#}

with

mix as (
    select * from {{ ref('customer_channel_mix') }}
),

sales_channels_ranked as (
    select
        customer_id,
        channel,
        order_share,
        row_number() over (partition by customer_id order by orders desc, channel asc) as channel_rank
    from mix
    where channel_type = 'sales_channel' and orders > 0
),

final as (
    select
        mix.customer_id,
        {{ ordered_listagg("case when mix.channel_type = 'channel_group' and mix.sessions > 0 then mix.channel end",
                         "', '", 'mix.channel') }} as channel_groups_used,
        {{ ordered_listagg("case when mix.channel_type = 'platform' and mix.sessions > 0 then mix.channel end",
                         "', '", 'mix.channel') }} as platforms_used,
        {{ ordered_listagg("case when mix.channel_type = 'sales_channel' then mix.channel end",
                         "', '", 'mix.channel') }} as sales_channels_used,
        max(primary_channel.channel) as primary_sales_channel,
        max(primary_channel.order_share) as primary_sales_channel_order_share,
        sum(case when mix.channel_type = 'sales_channel' then 1 else 0 end) >= 2 as is_omnichannel
    from mix
    left join sales_channels_ranked as primary_channel
        on mix.customer_id = primary_channel.customer_id and primary_channel.channel_rank = 1
    group by 1
)

select * from final
