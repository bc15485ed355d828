-- Cross-model promise: the engagement score as of the last loaded day is dim_customers' score
-- (one rule, macros/seed_rules.sql, applied to the activity summed day by day).
select
    dim_customers.customer_id,
    dim_customers.engagement_score as dim_customers_score,
    daily.engagement_score as daily_score
from {{ ref('dim_customers') }} as dim_customers
cross join {{ ref('int_observation_window') }} as observation
left join {{ ref('int_customer_engagement_daily') }} as daily
    on dim_customers.customer_id = daily.customer_id and daily.as_of_date = observation.observation_end
where
    exists (select 1 from {{ ref('int_customer_engagement_daily') }})
    and (daily.customer_id is null or abs(dim_customers.engagement_score - daily.engagement_score) > 0.05)
