-- Cross-model promise (contract §4, "Segments as they were"): every customer of dim_customers
-- has exactly one open row per segment type in customer_segment_history, holding the value
-- dim_customers shows, and no other customer has one.
{%- set segment_types = ['rfm_segment', 'behavioral_segment', 'lifecycle_stage', 'psychographic_segment',
                         'age_band', 'gender'] %}
with

current_segments as (
    {%- for segment_type in segment_types %}
    select customer_id, '{{ segment_type }}' as segment_type, cast({{ segment_type }} as {{ dbt.type_string() }}) as segment_value
    from {{ ref('dim_customers') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

open_rows as (
    select customer_id, segment_type, segment_value, count(*) over (partition by customer_id, segment_type) as open_rows
    from {{ ref('customer_segment_history') }}
    where valid_to is null
),

mismatches as (
    select
        coalesce(current_segments.customer_id, open_rows.customer_id) as customer_id,
        coalesce(current_segments.segment_type, open_rows.segment_type) as segment_type,
        current_segments.segment_value as dim_customers_value,
        open_rows.segment_value as history_value,
        open_rows.open_rows
    from current_segments
    full outer join open_rows
        on current_segments.customer_id = open_rows.customer_id
        and current_segments.segment_type = open_rows.segment_type
    where
        current_segments.customer_id is null
        or open_rows.customer_id is null
        or open_rows.open_rows <> 1
        or current_segments.segment_value <> open_rows.segment_value
)

select * from mismatches
