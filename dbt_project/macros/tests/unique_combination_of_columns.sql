{#- The combination of columns is unique: the grain of a table whose key is composite. A column
    written in double quotes ('"date"') is quoted the engine's way (backticks on Spark). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do columns.append(adapter.quote(column[1:-1]) if column.startswith('"') else column) -%}
    {%- endfor %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
