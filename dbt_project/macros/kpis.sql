{#- The KPI definitions of the kpi_catalogue seed (the one place a KPI is defined), read when the
    model runs: a list of dicts with the seed's columns. Empty while dbt only parses. -#}
{% macro kpi_definitions() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = ['kpi', 'source_model', 'is_additive', 'numerator', 'denominator', 'numerator_scale'] -%}
    {%- set query -%}
        select {{ columns | join(', ') }} from {{ _seed_relation('kpi_catalogue') }} order by kpi
    {%- endset -%}
    {%- set definitions = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- set definition = {} -%}
        {%- for column in columns -%}
            {%- do definition.update({column: row[loop.index0]}) -%}
        {%- endfor -%}
        {%- do definitions.append(definition) -%}
    {%- endfor -%}
    {{ return(definitions) }}
{% endmacro %}

{#- One row per day, segment and additive KPI: the numerator and denominator of every additive
    catalogue KPI, read from the CTE named after its source_model plus `totals_suffix`, which
    holds that mart's daily sums per segment (a column per measure). -#}
{% macro additive_kpi_rows(totals_suffix) -%}
    {%- set additive = kpi_definitions() | selectattr('is_additive') | list %}
    {%- if execute and not additive %}
        {{ exceptions.raise_compiler_error("kpi_catalogue has no additive KPI: load the seeds first (dbt seed)") }}
    {%- endif %}
    {%- for definition in additive %}
        {%- set known = kpi_measure_names(definition.source_model) %}
        {%- for measure in [definition.numerator, definition.denominator] if measure and measure not in known %}
            {{ exceptions.raise_compiler_error(
                "kpi_catalogue: " ~ definition.kpi ~ " divides measure " ~ measure ~ ", which macros/kpi_measures.sql"
                ~ " does not define for " ~ definition.source_model ~ " (it has " ~ known | join(', ') ~ ")") }}
        {%- endfor %}
        {%- set numerator = definition.numerator if definition.numerator_scale == 1
            else definition.numerator_scale ~ ' * ' ~ definition.numerator %}
        select
            metric_date,
            segment_type,
            segment_value,
            '{{ definition.kpi }}' as kpi,
            cast({{ numerator }} as double) as numerator,
            cast({{ definition.denominator or 'null' }} as double) as denominator
        from {{ definition.source_model ~ totals_suffix }}
        {%- if definition.denominator %}
        where {{ definition.denominator }} > 0
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
