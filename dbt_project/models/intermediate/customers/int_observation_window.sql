{#- The observation end: the last arrival day loaded into the warehouse (contract §4, CLV). Ages,
    recency and days since the last order are all measured to this day, so a rebuild of old data
    gives the same answers whatever today's date is. -#}

with

loaded_days as (
    select max(_partition_date) as last_day from {{ ref('stg_tracking__event_arrivals') }}
    union all
    select max(_partition_date) as last_day from {{ ref('stg_shop__order_arrivals') }}
),

final as (
    select
        {% if var('observation_end', none) %}
            cast('{{ var("observation_end") }}' as date)
        {% else %}
            cast(max(last_day) as date)
        {% endif %} as observation_end
    from loaded_days
)

select * from final
