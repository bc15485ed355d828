{#- A delimited list of a group's values in a given order. dbt.listagg takes an `order by` clause,
    which Spark's listagg ignores (dbt-spark warns and drops it): the conversion paths and the
    channel lists must read the same on every engine. `order_column` orders the values (ties by
    value); `distinct` keeps each value once. Null values are left out, as listagg does. -#}
{% macro ordered_listagg(measure, delimiter_text, order_column, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'engagement_warehouse')(
        measure, delimiter_text, order_column, distinct)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_column, distinct) -%}
    {{ dbt.listagg(('distinct ' if distinct else '') ~ measure, delimiter_text, 'order by ' ~ order_column) }}
{%- endmacro %}

{#- (a group without values gives null, as listagg does, not array_join's empty text) -#}
{% macro spark__ordered_listagg(measure, delimiter_text, order_column, distinct) -%}
    case when count({{ measure }}) > 0 then
    {%- if distinct %}
        array_join(array_sort(collect_set({{ measure }})), {{ delimiter_text }})
    {%- else %}
        array_join(
            transform(
                array_sort(collect_list(case when {{ measure }} is not null
                    then named_struct('o', {{ order_column }}, 'v', {{ measure }}) end)),
                x -> x.v),
            {{ delimiter_text }})
    {%- endif %}
    end
{%- endmacro %}
