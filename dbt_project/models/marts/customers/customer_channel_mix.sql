{#- Each customer's channels (the omnichannel view): per channel type (channel_group and platform
    of their sessions and orders, sales_channel of their orders) and channel, their sessions,
    completed orders, net revenue and share of their completed orders. -#}

with

sessions as (
    select
        session_id,
        customer_id,
        channel_group,
        platform
    from {{ ref('fct_sessions') }}
    where customer_id is not null
),

orders as (
    select
        orders.customer_id,
        orders.net_revenue,
        coalesce(orders.channel_group, 'Offline or unknown') as channel_group,
        -- an order placed outside a session (in store, or before the events start) has no platform
        coalesce(sessions.platform, '(no session)') as platform,
        coalesce(orders.sales_channel, 'unknown') as sales_channel
    from {{ ref('fct_orders') }} as orders
    left join sessions
        on orders.session_id = sessions.session_id
    where orders.status = 'completed' and orders.customer_id is not null
),

session_channels as (
    {%- for channel_type in ['channel_group', 'platform'] %}
        select
            customer_id,
            '{{ channel_type }}' as channel_type,
            {{ channel_type }} as channel,
            count(*) as sessions
        from sessions
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

order_channels as (
    {%- for channel_type in ['channel_group', 'platform', 'sales_channel'] %}
        select
            customer_id,
            '{{ channel_type }}' as channel_type,
            {{ channel_type }} as channel,
            count(*) as orders,
            sum(net_revenue) as revenue,
            count(*) * 1.0 / sum(count(*)) over (partition by customer_id) as order_share
        from orders
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        coalesce(session_channels.customer_id, order_channels.customer_id) as customer_id,
        coalesce(session_channels.channel_type, order_channels.channel_type) as channel_type,
        coalesce(session_channels.channel, order_channels.channel) as channel,
        cast(coalesce(session_channels.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(order_channels.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(order_channels.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(coalesce(order_channels.order_share, 0) as double) as order_share
    from session_channels
    full outer join order_channels
        on
            session_channels.customer_id = order_channels.customer_id
            and session_channels.channel_type = order_channels.channel_type
            and session_channels.channel = order_channels.channel
)

select * from final
