{#- Every customer's segments as they were, one row per interval in which none of them changes:
    customer_segment_history (one row per segment type and interval) cut at every change of any
    type, so the semantic layer can join it as one slowly changing dimension (SCD type 2) through
    the customer entity, as of each fact's day. -#}
{{ config(materialized='table') }}

{%- set segment_types = customer_segment_types() %}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

boundaries as (
    select
        customer_id,
        valid_from as boundary
    from history
    union
    select
        customer_id,
        valid_to as boundary
    from history
    where valid_to is not null
),

intervals as (
    select
        customer_id,
        boundary as valid_from,
        lead(boundary) over (partition by customer_id order by boundary) as valid_to
    from boundaries
),

final as (
    select
        intervals.customer_id,
        intervals.valid_from,
        intervals.valid_to,
        {%- for segment_type in segment_types %}
            max(case when history.segment_type = '{{ segment_type }}' then history.segment_value end)
                as {{ segment_type }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from intervals
    left join history
        on
            intervals.customer_id = history.customer_id
            and intervals.valid_from >= history.valid_from
            and (history.valid_to is null or intervals.valid_from < history.valid_to)
    group by 1, 2, 3
)

select * from final
