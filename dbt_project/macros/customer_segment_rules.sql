{#- The customer segment rules (contract §4), written once for the customers as they are now
    (dim_customers) and as they were on each day (customer_segment_history): inputs are as of a
    date, and a rule that ranks customers ranks them within `partition_by` (the as-of date). -#}

{#- RFM recency score on the lifecycle thresholds, so that RFM and the lifecycle stage cannot
    contradict each other (percentiles could call a 'new' customer "Lost"). -#}
{% macro rfm_recency_score(days_since_last_order) -%}
    {%- set new_days = var('lifecycle_new_days') | int %}
    {%- set active_days = var('lifecycle_active_days') | int %}
    case
        when {{ days_since_last_order }} is null then null
        when {{ days_since_last_order }} <= {{ new_days }} then 5
        when {{ days_since_last_order }} <= {{ new_days + (active_days - new_days) // 2 }} then 4
        when {{ days_since_last_order }} <= {{ active_days }} then 3
        when {{ days_since_last_order }} <= {{ var('lifecycle_at_risk_days') | int }} then 2
        else 1
    end
{%- endmacro %}

{#- Quintile score 1-5 (5 highest) by percentile rank among the rows of the window (the caller
    keeps buyers only); unlike ntile, equal values always score equally. -#}
{% macro rfm_percentile_score(expression, partition_by=none) -%}
    least(5, 1 + floor(5 * percent_rank() over (
        {%- if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ expression }})))
{%- endmacro %}

{#- Named RFM segment: the first rfm_segments row (by priority, read from the seed when the model
    runs) whose ranges hold both scores, else 'Other'; 'No purchases' without scores. -#}
{% macro rfm_segment_case(recency_score, frequency_score) -%}
    case
        when {{ recency_score }} is null or {{ frequency_score }} is null then 'No purchases'
        {%- for row in _seed_rows('rfm_segments', ['rfm_segment', 'recency_min', 'recency_max', 'frequency_min', 'frequency_max']) %}
        when {{ recency_score }} between {{ row[1] }} and {{ row[2] }}
            and {{ frequency_score }} between {{ row[3] }} and {{ row[4] }}
            then {{ _sql_string(row[0]) }}
        {%- endfor %}
        else 'Other'
    end
{%- endmacro %}

{#- Lifecycle stage from days since the first and the last completed order (business dates, limits
    inclusive): prospect, new, active, at risk, churned. -#}
{% macro lifecycle_stage_case(orders, days_since_first_order, days_since_last_order) -%}
    case
        when coalesce({{ orders }}, 0) = 0 then 'prospect'
        when {{ days_since_first_order }} <= {{ var('lifecycle_new_days') }} then 'new'
        when {{ days_since_last_order }} <= {{ var('lifecycle_active_days') }} then 'active'
        when {{ days_since_last_order }} <= {{ var('lifecycle_at_risk_days') }} then 'at risk'
        else 'churned'
    end
{%- endmacro %}

{#- Behavioural segment from completed orders, add-to-carts and sessions to date. -#}
{% macro behavioral_segment_case(orders, add_to_carts, sessions) -%}
    case
        when {{ orders }} >= 3 then 'Loyal buyer'
        when {{ orders }} = 2 then 'Repeat buyer'
        when {{ orders }} = 1 then 'One-time buyer'
        when {{ add_to_carts }} > 0 then 'Cart abandoner'
        when {{ sessions }} >= {{ var('frequent_visitor_sessions') }} then 'Frequent browser'
        when {{ sessions }} > 0 then 'Occasional browser'
        else 'No activity'
    end
{%- endmacro %}

{#- Age in the year of the as-of date, and its band. -#}
{% macro age_expression(birth_year, as_of_date) -%}
    extract(year from {{ as_of_date }}) - {{ birth_year }}
{%- endmacro %}

{% macro age_band_case(birth_year, as_of_date) -%}
    {%- set age = age_expression(birth_year, as_of_date) %}
    case
        when {{ birth_year }} is null then 'unknown'
        when {{ age }} < 18 then 'under 18'
        when {{ age }} < 25 then '18-24'
        when {{ age }} < 35 then '25-34'
        when {{ age }} < 45 then '35-44'
        when {{ age }} < 55 then '45-54'
        when {{ age }} < 65 then '55-64'
        else '65+'
    end
{%- endmacro %}

{% macro gender_segment(gender) -%}
    coalesce({{ gender }}, 'unknown')
{%- endmacro %}
