{#- Survey facts per customer: latest NPS score and category, average CES, latest CSAT, and
    how many responses they gave. -#}

with

responses as (
    select * from {{ ref('stg_feedback__survey_responses') }}
    where customer_id is not null
),

latest_nps as (
    select
        customer_id,
        score as latest_nps_score,
        row_number() over (partition by customer_id order by submitted_at desc, response_id desc) as recency_rank
    from responses
    where survey_type = 'nps'
),

rolled_up as (
    select
        customer_id,
        count(*) as survey_responses,
        avg(case when survey_type = 'ces' then score end) as avg_ces_score,
        avg(case when survey_type = 'csat' then score end) as avg_csat_score
    from responses
    group by customer_id
),

final as (
    select
        rolled_up.*,
        latest_nps.latest_nps_score,
        case
            when latest_nps.latest_nps_score >= 9 then 'promoter'
            when latest_nps.latest_nps_score >= 7 then 'passive'
            when latest_nps.latest_nps_score is not null then 'detractor'
        end as latest_nps_category
    from rolled_up
    left join latest_nps
        on rolled_up.customer_id = latest_nps.customer_id and latest_nps.recency_rank = 1
)

select * from final
