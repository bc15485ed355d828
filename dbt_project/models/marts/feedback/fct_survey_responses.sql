{#- One row per survey response (contract §4), categorised and linked to the customer's latest
    session before it. -#}

with

responses as (
    select * from {{ ref('stg_feedback__survey_responses') }}
),

sessions as (
    select
        session_id,
        customer_id,
        started_at
    from {{ ref('fct_sessions') }}
    where customer_id is not null
),

-- a lookup of the latest start, not a ranking window over all the customer's earlier sessions
latest_started as (
    {{ latest_at_or_before('responses', 'customer_id', 'submitted_at', 'sessions', 'customer_id', 'started_at',
                           ['response_id', 'customer_id'], 'started_at') }}
),

latest_sessions as (
    -- two sessions of a customer starting at the same instant: the greatest id, deterministically
    select
        latest_started.response_id,
        max(sessions.session_id) as session_id
    from latest_started
    inner join sessions
        on latest_started.customer_id = sessions.customer_id and latest_started.started_at = sessions.started_at
    group by latest_started.response_id
),

final as (
    select
        responses.response_id,
        responses.survey_type,
        responses.customer_id,
        responses.submitted_at,
        responses.submitted_date,
        cast(responses.score as integer) as score,
        case
            when responses.survey_type <> 'nps' then null
            when responses.score >= 9 then 'promoter'
            when responses.score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        case when responses.survey_type = 'csat' then responses.score >= 4 end as is_satisfied,
        responses.survey_trigger as {{ adapter.quote('trigger') }},
        responses.order_id,
        responses.channel,
        responses.comment,
        latest_sessions.session_id as latest_session_id
    from responses
    left join latest_sessions
        on responses.response_id = latest_sessions.response_id
)

select * from final
