{#- Every customer's activity summed to each day of `days_relation` (column as_of_date) from the
    day they became known, the input of the rules "as of a day": `activity_relation`
    (int_customer_activity_daily) summed over each customer's days, each total holding until the
    customer's next active day. -#}
{% macro customer_states_on_days(activity_relation, days_relation) -%}
    select
        days.as_of_date,
        running.*
    from (
        select
            customer_id,
            activity_date,
            lead(activity_date) over (partition by customer_id order by activity_date) as next_activity_date,
            sum(sessions) over to_date as sessions,
            sum(page_views) over to_date as page_views,
            sum(engaged_sessions) over to_date as engaged_sessions,
            sum(add_to_carts) over to_date as add_to_carts,
            sum(social_shares) over to_date as social_shares,
            sum(email_clicks) over to_date as email_clicks,
            max(last_session_date) over to_date as last_session_date,
            sum(orders) over to_date as orders,
            min(case when orders > 0 then activity_date end) over to_date as first_order_date,
            max(case when orders > 0 then activity_date end) over to_date as last_order_date,
            sum(survey_responses) over to_date as survey_responses
        from {{ activity_relation }}
        window to_date as (partition by customer_id order by activity_date rows between unbounded preceding and current row)
    ) as running
    inner join {{ days_relation }} as days
        on
            running.activity_date <= days.as_of_date
            and (running.next_activity_date is null or days.as_of_date < running.next_activity_date)
{%- endmacro %}
