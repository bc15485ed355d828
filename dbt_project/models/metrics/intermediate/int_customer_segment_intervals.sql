{#- Each customer who has ordered, in each segment over time: their customer segment types as they
    were (customer_segment_history), 'unknown' before their first known segment or with none, and
    `all` from the start. KPIs that are a state on a day (churn_rate) count members per interval. -#}
{{ config(materialized='table') }}

with

buyers as (
    select distinct customer_id from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

history as (
    select
        history.customer_id,
        history.segment_type,
        history.segment_value,
        history.valid_from,
        history.valid_to
    from {{ ref('customer_segment_history') }} as history
    inner join buyers
        on history.customer_id = buyers.customer_id
),

segment_types as (
    {%- for segment_type in customer_segment_types() %}
        select '{{ segment_type }}' as segment_type
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

first_known as (
    select
        buyers.customer_id,
        segment_types.segment_type,
        min(history.valid_from) as valid_from
    from buyers
    cross join segment_types
    left join history
        on
            buyers.customer_id = history.customer_id
            and segment_types.segment_type = history.segment_type
    group by 1, 2
),

final as (
    select * from history
    union all
    -- before the first known segment (open-ended when none is known)
    select
        customer_id,
        segment_type,
        'unknown' as segment_value,
        cast('1900-01-01' as date) as valid_from,
        valid_from as valid_to
    from first_known
    where valid_from is null or valid_from > cast('1900-01-01' as date)
    union all
    select
        customer_id,
        'all' as segment_type,
        'all' as segment_value,
        cast('1900-01-01' as date) as valid_from,
        cast(null as date) as valid_to
    from buyers
)

select * from final
