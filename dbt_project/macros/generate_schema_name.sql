{#- Schemas are the clean names of the layers (raw, staging, intermediate, marts, reference,
    snapshots), not dbt's default <target>_<custom> concatenation: BI tools and operators address
    them by these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
