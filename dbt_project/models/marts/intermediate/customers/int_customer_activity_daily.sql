{#- What each customer did on each business date, as additive counts: summed over a customer's days,
    everything the segment rules need as of any date (customer_segment_history). -#}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

sessions as (
    select
        customer_id,
        session_date as activity_date,
        count(*) as sessions,
        sum(page_views) as page_views,
        sum(case when is_engaged then 1 else 0 end) as engaged_sessions,
        sum(add_to_carts) as add_to_carts,
        sum(social_shares) as social_shares
    from {{ ref('fct_sessions') }}
    -- bot sessions are in no KPI (contract §4, "Bots"), the engagement score included
    where customer_id is not null and not is_bot
    group by 1, 2
),

email_clicks as (
    -- off-site events in no session (contract §2), under the stitched customer of their device
    select
        visitors.customer_id,
        email_events.occurred_date as activity_date,
        count(*) as email_clicks
    from {{ ref('int_email_events') }} as email_events
    inner join {{ ref('int_visitors_stitched') }} as visitors
        on email_events.anonymous_id = visitors.anonymous_id
    where email_events.event_type = 'email_click'
    group by 1, 2
),

orders as (
    -- every status makes the customer known; completed orders are the ones counted
    select
        customer_id,
        order_date as activity_date,
        sum(case when status = 'completed' then 1 else 0 end) as orders,
        sum(case when status = 'completed' then net_revenue else 0 end) as revenue
    from {{ ref('fct_orders') }}
    where customer_id is not null
    group by 1, 2
),

surveys as (
    select
        customer_id,
        submitted_date as activity_date,
        count(*) as survey_responses
    from {{ ref('fct_survey_responses') }}
    where customer_id is not null
    group by 1, 2
),

crm as (
    select
        customer_id,
        {{ business_date('coalesce(signed_up_at, updated_at)') }} as activity_date
    from {{ ref('stg_crm__customers') }}
),

known_days as (
    -- any fact makes the customer known that day, so that they are segmented from the day we knew them
    {%- for facts in ['sessions', 'email_clicks', 'orders', 'surveys', 'crm'] %}
        select
            customer_id,
            activity_date
        from {{ facts }}
        {%- if facts == 'crm' %}
            where activity_date is not null
        {%- else %}
            union
        {%- endif %}
    {%- endfor %}
),

customers as (
    select * from {{ ref('int_customers_unioned') }}
),

dated_customers as (
    -- a customer known without a date (no session, order, survey or CRM date): the observation end
    select
        customers.customer_id,
        coalesce(known_days.activity_date, observation.observation_end) as activity_date
    from customers
    cross join observation
    left join known_days
        on customers.customer_id = known_days.customer_id
),

first_fact as (
    select min(activity_date) as first_fact_date
    from (
        select activity_date from sessions
        union all
        select activity_date from orders
        union all
        select activity_date from surveys
    ) as facts
),

clamped as (
    -- days after the observation end count on it, so every customer of dim_customers is in the history;
    -- days before the warehouse's first fact (CRM sign-ups years back) count on that day
    select
        dated_customers.customer_id,
        least(
            greatest(
                dated_customers.activity_date, coalesce(first_fact.first_fact_date, dated_customers.activity_date)
            ),
            observation.observation_end
        ) as activity_date,
        dated_customers.activity_date as original_date
    from dated_customers
    cross join observation
    cross join first_fact
),

final as (
    select
        clamped.customer_id,
        clamped.activity_date,
        cast(coalesce(sum(sessions.sessions), 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(sum(sessions.page_views), 0) as {{ dbt.type_bigint() }}) as page_views,
        cast(coalesce(sum(sessions.engaged_sessions), 0) as {{ dbt.type_bigint() }}) as engaged_sessions,
        cast(coalesce(sum(sessions.add_to_carts), 0) as {{ dbt.type_bigint() }}) as add_to_carts,
        cast(coalesce(sum(sessions.social_shares), 0) as {{ dbt.type_bigint() }}) as social_shares,
        cast(coalesce(sum(email_clicks.email_clicks), 0) as {{ dbt.type_bigint() }}) as email_clicks,
        max(case when sessions.customer_id is not null then clamped.activity_date end) as last_session_date,
        cast(coalesce(sum(orders.orders), 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(sum(orders.revenue), 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(coalesce(sum(surveys.survey_responses), 0) as {{ dbt.type_bigint() }}) as survey_responses
    from clamped
    left join sessions
        on clamped.customer_id = sessions.customer_id and clamped.original_date = sessions.activity_date
    left join email_clicks
        on clamped.customer_id = email_clicks.customer_id and clamped.original_date = email_clicks.activity_date
    left join orders
        on clamped.customer_id = orders.customer_id and clamped.original_date = orders.activity_date
    left join surveys
        on clamped.customer_id = surveys.customer_id and clamped.original_date = surveys.activity_date
    group by 1, 2
)

select * from final
