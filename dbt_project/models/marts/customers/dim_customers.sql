{#- One row per customer known from any source (contract §4), measured to the observation end; the
    segment rules (macros/customer_segment_rules.sql) are shared with customer_segment_history. -#}
-- depends_on: {{ ref('psychographic_segments') }}, {{ ref('engagement_score_weights') }}, {{ ref('rfm_segments') }}

with

joined as (
    select
        customers.customer_id,
        customers.has_crm_record,
        customers.known_from,
        crm.email_sha256,
        crm.signed_up_at,
        crm.birth_year,
        crm.gender,
        crm.education,
        crm.region,
        crm.interests,
        crm.marketing_opt_in,
        observation.observation_end,
        activity.first_session_at,
        activity.last_session_at,
        activity.last_session_date,
        coalesce(activity.sessions, 0) as sessions,
        coalesce(activity.page_views, 0) as page_views,
        activity.avg_session_duration_seconds,
        activity.bounce_rate,
        activity.engaged_session_rate,
        activity.page_views_per_session,
        coalesce(activity.add_to_carts, 0) as add_to_carts,
        coalesce(activity.social_shares, 0) as social_shares,
        coalesce(activity.email_clicks, 0) as email_clicks,
        orders.first_order_at,
        orders.last_order_at,
        coalesce(orders.orders, 0) as orders,
        coalesce(orders.revenue, 0) as revenue,
        orders.average_order_value,
        coalesce(orders.is_repeat_customer, false) as is_repeat_customer,
        orders.days_since_last_order,
        coalesce(feedback.survey_responses, 0) as survey_responses,
        feedback.latest_nps_score,
        feedback.latest_nps_category,
        feedback.avg_ces_score,
        clv.probability_alive,
        clv.predicted_clv_12m,
        clv.clv_status,
        {{ dbt.datediff('activity.last_session_date', 'observation.observation_end', 'day') }}
            as days_since_last_session
    -- every input is one row per customer (the observation end: one row)
    from {{ ref('int_customers_unioned') }} as customers
    cross join {{ ref('int_observation_window') }} as observation
    left join {{ ref('stg_crm__customers') }} as crm on customers.customer_id = crm.customer_id
    left join {{ ref('int_customer_sessions_rolled_up') }} as activity on customers.customer_id = activity.customer_id
    left join {{ ref('int_customer_orders_rolled_up') }} as orders on customers.customer_id = orders.customer_id
    left join {{ ref('int_customer_feedback_rolled_up') }} as feedback on customers.customer_id = feedback.customer_id
    left join {{ ref('int_customer_clv_predicted') }} as clv on customers.customer_id = clv.customer_id
),

rfm_scored as (
    -- recency on the lifecycle thresholds, frequency and monetary quintiles among buyers; 5 is best
    select
        customer_id,
        {{ rfm_recency_score('days_since_last_order') }} as rfm_recency_score,
        {{ rfm_percentile_score('orders') }} as rfm_frequency_score,
        {{ rfm_percentile_score('revenue') }} as rfm_monetary_score
    from joined
    where orders > 0
),

signals as (
    -- engagement-score components, named as in the engagement_score_weights seed; higher is better
    select
        customer_id,
        coalesce(-days_since_last_session, -100000) as visit_recency,
        sessions,
        coalesce(engaged_session_rate, 0) as engaged_session_rate,
        coalesce(page_views_per_session, 0) as page_views_per_session,
        orders,
        survey_responses as feedback,
        social_shares,
        email_clicks
    from joined
),

scored as (
    select
        customer_id,
        {{ engagement_score_expression() }} as engagement_score
    from signals
),

final as (
    select
        joined.customer_id,
        joined.email_sha256,
        joined.signed_up_at,
        cast({{ age_expression('joined.birth_year', 'joined.observation_end') }} as integer) as age,
        {{ age_band_case('joined.birth_year', 'joined.observation_end') }} as age_band,
        {{ gender_segment('joined.gender') }} as gender,
        coalesce(joined.education, 'unknown') as education,
        coalesce(joined.region, 'unknown') as region,
        joined.interests,
        joined.marketing_opt_in,
        -- least/greatest skip nulls (DuckDB and Spark alike)
        least(joined.first_session_at, joined.first_order_at, joined.signed_up_at) as first_seen_at,
        greatest(joined.last_session_at, joined.last_order_at) as last_seen_at,
        cast(joined.sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(joined.page_views as {{ dbt.type_bigint() }}) as page_views,
        joined.avg_session_duration_seconds,
        joined.bounce_rate,
        joined.first_order_at,
        joined.last_order_at,
        cast(joined.orders as {{ dbt.type_bigint() }}) as orders,
        cast(joined.revenue as {{ dbt.type_numeric() }}) as revenue,
        cast(joined.average_order_value as {{ dbt.type_numeric() }}) as average_order_value,
        joined.is_repeat_customer,
        cast(joined.days_since_last_order as integer) as days_since_last_order,
        cast(rfm_scored.rfm_recency_score as integer) as rfm_recency_score,
        cast(rfm_scored.rfm_frequency_score as integer) as rfm_frequency_score,
        cast(rfm_scored.rfm_monetary_score as integer) as rfm_monetary_score,
        -- 'No purchases' without scores (no completed order)
        {{ rfm_segment_case('rfm_scored.rfm_recency_score', 'rfm_scored.rfm_frequency_score') }} as rfm_segment,
        cast(joined.revenue as {{ dbt.type_numeric() }}) as historical_clv,
        cast(joined.predicted_clv_12m as double) as predicted_clv_12m,
        cast(joined.probability_alive as double) as probability_alive,
        cast(coalesce(joined.clv_status, 'no_completed_orders') as {{ dbt.type_string() }}) as clv_status,
        cast(joined.latest_nps_score as integer) as latest_nps_score,
        joined.latest_nps_category,
        cast(joined.avg_ces_score as double) as avg_ces_score,
        cast(scored.engagement_score as double) as engagement_score,
        {{ behavioral_segment_case('joined.orders', 'joined.add_to_carts', 'joined.sessions') }}
            as behavioral_segment,
        {{ lifecycle_stage_case(
            'joined.orders',
            dbt.datediff(business_date('joined.first_order_at'), 'joined.observation_end', 'day'),
            'joined.days_since_last_order') }} as lifecycle_stage,
        {{ psychographic_segment_case('joined.interests') }} as psychographic_segment,
        joined.has_crm_record,
        joined.known_from,
        channels.channel_groups_used,
        channels.platforms_used,
        channels.sales_channels_used,
        channels.primary_sales_channel,
        channels.primary_sales_channel_order_share,
        coalesce(channels.is_omnichannel, false) as is_omnichannel
    from joined
    left join rfm_scored
        on joined.customer_id = rfm_scored.customer_id
    left join scored
        on joined.customer_id = scored.customer_id
    left join {{ ref('int_customer_channels_rolled_up') }} as channels
        on joined.customer_id = channels.customer_id
)

select * from final
