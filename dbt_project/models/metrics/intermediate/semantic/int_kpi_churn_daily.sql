{#- The churn counts of every day (segment all): the states the semantic layer's churn_rate takes
    on a period's last day (a semi-additive measure), read from int_kpi_churn_rate's day rows so
    the rule stays in one place. -#}
{{ config(materialized='table') }}

with

churn as (
    select * from {{ ref('int_kpi_churn_rate') }}
    where period_grain = 'day' and segment_type = 'all'
),

final as (
    select
        period_start as churn_date,
        numerator as churned_customers,
        denominator as ordered_customers
    from churn
)

select * from final
