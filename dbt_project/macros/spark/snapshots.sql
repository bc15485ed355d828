{#- Snapshots on Spark with plain Parquet tables (contract §7). dbt-spark snapshots only into Delta
    Lake, Iceberg or Hudi tables, because it closes old versions with MERGE. Here the snapshot runs
    dbt's own steps (the staging table of inserts and updates) and closes versions by rewriting
    the table from a copy of the previous one (`<snapshot>__dbt_previous`, kept until the next
    run): a snapshot is small (one row per version of a CRM record), so the rewrite is cheap. -#}
{% materialization snapshot, adapter='spark' %}
    {{ return(materialization_snapshot_default()) }}
{% endmaterialization %}

{% macro spark__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {%- set previous = target.incorporate(path={'identifier': target.identifier ~ '__dbt_previous'}) -%}
    {%- set stored = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {%- do run_query('drop table if exists ' ~ previous) -%}
    {%- do run_query('create table ' ~ previous ~ ' using parquet as select * from ' ~ target) -%}
    insert overwrite table {{ target }}
    select
        {%- for name in stored %}
        {%- if name == columns.dbt_valid_to %}
        case
            when kept.{{ name }} is null and closing.{{ columns.dbt_scd_id }} is not null then closing.{{ name }}
            else kept.{{ name }}
        end as {{ name }}
        {%- else %}
        kept.{{ name }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ previous }} as kept
    left join (
        select * from {{ source }} where dbt_change_type in ('update', 'delete')
    ) as closing
        on kept.{{ columns.dbt_scd_id }} = closing.{{ columns.dbt_scd_id }}
    union all
    select
        {%- for name in stored %}
        {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ source }}
    where dbt_change_type = 'insert'
{%- endmacro %}
