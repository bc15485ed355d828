{#- The stored rows of the keys that `new_rows` (a CTE) has rows for, as `columns`: a model that
    keeps one row per key decides each key the run touches again, between the stored row and the
    new ones, without reading the rest of its history. -#}
{% macro stored_rows_touched_by(new_rows, keys, columns) %}
    select
        {%- for column in columns %}
        stored.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ this }} as stored
    inner join (select distinct {{ keys | join(', ') }} from {{ new_rows }}) as touched
        on
            {%- for key in keys %}
            {% if not loop.first %}and {% endif %}stored.{{ key }} = touched.{{ key }}
            {%- endfor %}
{% endmacro %}
