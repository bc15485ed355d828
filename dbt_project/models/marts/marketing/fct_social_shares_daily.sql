{#- On-site social shares per day and network (the social_share events), with the sessions and
    visitors that shared. -#}

with

shares as (
    select * from {{ ref('int_events_sessionized') }}
    where event_type = 'social_share'
),

final as (
    select
        occurred_date as share_date,
        coalesce(share_network, 'unknown') as share_network,
        cast(count(*) as {{ dbt.type_bigint() }}) as social_shares,
        cast(count(distinct session_id) as {{ dbt.type_bigint() }}) as sharing_sessions,
        cast(count(distinct anonymous_id) as {{ dbt.type_bigint() }}) as sharing_visitors
    from shares
    group by 1, 2
)

select * from final
