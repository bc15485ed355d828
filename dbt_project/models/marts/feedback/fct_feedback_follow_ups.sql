{#- The "close the loop" list (contract §4): responses someone should act on, with the reason, and
    the surveyed order or else the customer's last order before the response. -#}

with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
    where customer_id is not null
),

needing_follow_up as (
    select
        *,
        case
            when survey_type = 'nps' and score <= 6
                then 'NPS detractor (' || cast(score as {{ dbt.type_string() }}) || '/10)'
            when survey_type = 'ces' and score <= 3
                then 'High effort: CES ' || cast(score as {{ dbt.type_string() }}) || '/7'
            when survey_type = 'csat' and score <= 2
                then 'Dissatisfied: CSAT ' || cast(score as {{ dbt.type_string() }}) || '/5'
        end as reason
    from responses
),

last_orders as (
    select
        needing_follow_up.response_id,
        orders.order_id,
        row_number() over (
            partition by needing_follow_up.response_id
            order by orders.ordered_at desc, orders.order_id desc
        ) as recency_rank
    from needing_follow_up
    inner join orders
        on
            needing_follow_up.customer_id = orders.customer_id
            and needing_follow_up.submitted_at >= orders.ordered_at
    where needing_follow_up.reason is not null
),

final as (
    select
        needing_follow_up.response_id,
        needing_follow_up.customer_id,
        needing_follow_up.survey_type,
        needing_follow_up.score,
        needing_follow_up.reason,
        needing_follow_up.submitted_at,
        coalesce(needing_follow_up.order_id, last_orders.order_id) as last_order_id,
        needing_follow_up.comment,
        needing_follow_up.{{ adapter.quote('trigger') }},
        needing_follow_up.channel,
        cast(row_number() over newest_first as {{ dbt.type_bigint() }}) as follow_up_rank
    from needing_follow_up
    left join last_orders
        on needing_follow_up.response_id = last_orders.response_id and last_orders.recency_rank = 1
    where needing_follow_up.reason is not null
    window newest_first as (order by needing_follow_up.submitted_at desc, needing_follow_up.response_id asc)
)

select * from final
