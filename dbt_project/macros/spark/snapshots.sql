{#- Snapshots on Spark with plain Parquet tables (contract §7). dbt-spark snapshots only into Delta
    Lake, Iceberg or Hudi tables, because it closes old versions with MERGE. Here the snapshot takes
    dbt's own steps (the strategy, the first build, the staging view of inserts and updates) and
    closes versions by rewriting the table from a copy of the previous one: `<snapshot>__dbt_previous`
    and the changes, `<snapshot>__dbt_changes`, stay until the next run. A snapshot is small (one
    row per version of a CRM record), so the rewrite is cheap. New source columns are not added on
    the way: a changed source needs a rebuild of the snapshot. -#}
{% materialization snapshot, adapter='spark' %}
    {%- set exists, target = get_or_create_relation(
        database=none, schema=model.schema, identifier=model.get('alias', model.get('name')), type='table') -%}
    {%- if not adapter.check_schema_exists(none, model.schema) -%}
        {%- do create_schema(target) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks) }}
    {%- set strategy = strategy_dispatch(config.get('strategy'))(
        model, 'snapshotted_data', 'source_data', model['config'], exists) -%}
    {%- if exists -%}
        {%- set staging = spark_build_snapshot_staging_table(strategy, sql, target) -%}
        {%- set final_sql = spark_snapshot_rewrite_sql(target, staging) -%}
    {%- else -%}
        {%- set final_sql = create_table_as(False, target, build_snapshot_table(strategy, model['compiled_code'])) -%}
    {%- endif -%}
    {% call statement('main') %}
        {{ final_sql }}
    {% endcall %}
    {%- do persist_docs(target, model) -%}
    {{ run_hooks(post_hooks) }}
    {%- if staging is defined -%}
        {%- do post_snapshot(staging) -%}
    {%- endif -%}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}

{#- The stored versions, the current ones closed where the staging view updates them, plus the new
    versions it inserts. -#}
{% macro spark_snapshot_rewrite_sql(target, staging) -%}
    {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {%- set previous = target.incorporate(path={'identifier': target.identifier ~ '__dbt_previous'}) -%}
    {%- set changes = target.incorporate(path={'identifier': target.identifier ~ '__dbt_changes'}) -%}
    {%- set stored = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {#- both fixed in tables first: the staging view reads the table the statement overwrites -#}
    {%- for copy, query in [(previous, 'select * from ' ~ target), (changes, 'select * from ' ~ staging)] -%}
        {%- do run_query('drop table if exists ' ~ copy) -%}
        {%- do run_query('create table ' ~ copy ~ ' using parquet as ' ~ query) -%}
    {%- endfor -%}
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
        select * from {{ changes }} where dbt_change_type in ('update', 'delete')
    ) as closing
        on kept.{{ columns.dbt_scd_id }} = closing.{{ columns.dbt_scd_id }}
    union all
    select {{ stored | join(', ') }}
    from {{ changes }}
    where dbt_change_type = 'insert'
{%- endmacro %}
