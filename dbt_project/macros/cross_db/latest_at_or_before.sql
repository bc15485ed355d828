{#- For each row of `left` (a relation or CTE name), the latest `right_time` of the rows of
    `right` with the same key at or before its `left_time`; rows with no such row are left out.
    Selects `left_columns` (names of `left`'s columns) and `right_time` as `output`. DuckDB's
    ASOF join finds that row directly; the default's join grows with each key's history. -#}
{% macro latest_at_or_before(left, left_key, left_time, right, right_key, right_time, left_columns, output) -%}
    {{ return(adapter.dispatch('latest_at_or_before', 'engagement_warehouse')(
        left, left_key, left_time, right, right_key, right_time, left_columns, output)) }}
{%- endmacro %}

{% macro default__latest_at_or_before(left, left_key, left_time, right, right_key, right_time, left_columns, output) -%}
    select
        {%- for column in left_columns %}
        earlier_left.{{ column }},
        {%- endfor %}
        max(earlier_right.{{ right_time }}) as {{ output }}
    from {{ left }} as earlier_left
    inner join {{ right }} as earlier_right
        on earlier_left.{{ left_key }} = earlier_right.{{ right_key }}
        and earlier_right.{{ right_time }} <= earlier_left.{{ left_time }}
    group by
        {%- for column in left_columns %}
        earlier_left.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}

{% macro duckdb__latest_at_or_before(left, left_key, left_time, right, right_key, right_time, left_columns, output) -%}
    select
        {%- for column in left_columns %}
        earlier_left.{{ column }},
        {%- endfor %}
        earlier_right.{{ right_time }} as {{ output }}
    from {{ left }} as earlier_left
    asof inner join {{ right }} as earlier_right
        on earlier_left.{{ left_key }} = earlier_right.{{ right_key }}
        and earlier_right.{{ right_time }} <= earlier_left.{{ left_time }}
{%- endmacro %}
