{#- Every customer's segments as they were (contract §4): one row per customer, segment type and
    validity interval, each day segmented by dim_customers' rules as of that day. -#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('stg_crm__customer_versions') }}
-- depends_on: {{ ref('psychographic_segments') }}
-- depends_on: {{ ref('rfm_segments') }}
-- depends_on: {{ ref('stg_tracking__event_arrivals') }}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
-- depends_on: {{ ref('stg_feedback__survey_response_arrivals') }}
-- depends_on: {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        partition_by=engine_partition_by('valid_from'),
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=[
            "{{ remember_segment_restate_from('segment_history_restate_from') }}",
            "{{ remember_segment_rows_continued('segment_history_restate_from', 'segment_history_continued') }}",
            "{{ remember_previous_refresh('segment_history_previous_refresh') }}",
        ],
        post_hook=[
            "{{ keep_unchanged_segment_rows('segment_history_restate_from', 'segment_history_previous_refresh', 'drop stored rows not produced again') }}",
            "{{ keep_unchanged_segment_rows('segment_history_restate_from', 'segment_history_previous_refresh', 'drop fresh rows stored already') }}",
        ],
    )
}}

{%- set segment_types = ['rfm_segment', 'behavioral_segment', 'lifecycle_stage', 'psychographic_segment',
                         'age_band', 'gender'] %}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

activity as (
    select * from {{ ref('int_customer_activity_daily') }}
),

crm_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

days_to_restate as (
    {{ days_to_restate('observation', 'segment_history_restate_from', '(select min(activity_date) from activity)') }}
),

states as (
    -- every customer on every day from the day they became known, with their activity to date
    {{ customer_states_on_days('activity', 'days_to_restate') }}
),

rfm_scored as (
    select
        customer_id,
        as_of_date,
        {{ rfm_recency_score(dbt.datediff('last_order_date', 'as_of_date', 'day')) }} as rfm_recency_score,
        {{ rfm_percentile_score('orders', 'as_of_date') }} as rfm_frequency_score
    from states
    where orders > 0
),

segmented as (
    select
        states.customer_id,
        states.as_of_date,
        {{ rfm_segment_case('rfm_scored.rfm_recency_score', 'rfm_scored.rfm_frequency_score') }} as rfm_segment,
        {{ behavioral_segment_case('states.orders', 'states.add_to_carts', 'states.sessions') }} as behavioral_segment,
        {{ lifecycle_stage_case(
            'states.orders',
            dbt.datediff('states.first_order_date', 'states.as_of_date', 'day'),
            dbt.datediff('states.last_order_date', 'states.as_of_date', 'day')) }} as lifecycle_stage,
        {{ psychographic_segment_case('crm.interests') }} as psychographic_segment,
        {{ age_band_case('crm.birth_year', 'states.as_of_date') }} as age_band,
        {{ gender_segment('crm.gender') }} as gender
    from states
    left join rfm_scored
        on states.customer_id = rfm_scored.customer_id and states.as_of_date = rfm_scored.as_of_date
    left join crm_versions as crm
        -- the profile version holding that day; the first one also before its date
        on
            states.customer_id = crm.customer_id
            and (crm.is_first_version or states.as_of_date >= crm.updated_date)
            and (crm.next_updated_date is null or states.as_of_date < crm.next_updated_date)
),

day_changes as (
    -- one window over the customer-days for all types; only the days on which some value changed go on
    select
        *,
        {%- for segment_type in segment_types %}
            lag({{ segment_type }}) over customer_days as previous_{{ segment_type }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from segmented
    window customer_days as (partition by customer_id order by as_of_date)
),

changed_days as (
    select * from day_changes
    where
        {%- for segment_type in segment_types %}
            previous_{{ segment_type }} is null or {{ segment_type }} <> previous_{{ segment_type }}
            {%- if not loop.last %} or{% endif %}
        {%- endfor %}
),

daily_values as (
    {%- for segment_type in segment_types %}
        select
            customer_id,
            '{{ segment_type }}' as segment_type,
            cast({{ segment_type }} as {{ dbt.type_string() }}) as segment_value,
            as_of_date
        from changed_days
        where previous_{{ segment_type }} is null or {{ segment_type }} <> previous_{{ segment_type }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    -- the values current on the day before the restated days, from the day they started
    {{ segment_rows_continued('segment_history_continued') }}
),

compared as (
    select
        *,
        lag(segment_value) over (partition by customer_id, segment_type order by as_of_date) as previous_value
    from daily_values
),

changes as (
    select * from compared
    where previous_value is null or previous_value <> segment_value
),

final as (
    select
        customer_id,
        segment_type,
        segment_value,
        as_of_date as valid_from,
        lead(as_of_date) over (partition by customer_id, segment_type order by as_of_date) as valid_to,
        {{ run_timestamp() }} as _refreshed_at
    from changes
)

select * from final
