{#- Spark's tables over files written outside Spark (contract §7): the loaders' raw partitions and
    what the Dagster step wrote for the Python models. Both folders are under WAREHOUSE_LAKE_DIR. -#}

{% macro lake_dir() -%}
    {{- return(env_var('WAREHOUSE_LAKE_DIR', 'data/lake')) -}}
{%- endmacro %}

{#- An on-run-start hook. On Spark every raw source (and its rejects) is registered again over its
    folder: the columns come from the Parquet files, the arrival days from the folder names. On
    DuckDB the loaders write the raw tables themselves and there is nothing to do. -#}
{% macro register_lake_tables() -%}
    {{- return(adapter.dispatch('register_lake_tables')()) -}}
{%- endmacro %}

{% macro default__register_lake_tables() -%}
{%- endmacro %}

{% macro spark__register_lake_tables() -%}
    {%- if execute -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- if source.schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ source.schema) -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- for table in [source.identifier, source.identifier ~ '_rejects'] -%}
                {%- do register_parquet_table(source.schema ~ '.' ~ table, lake_dir() ~ '/raw/' ~ table, true) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- (Re)define a table over a folder of Parquet files: dropping it leaves the files (the table is
    external), so a new column in the files is picked up, and a partitioned folder's days are
    read from the folder names again. -#}
{% macro register_parquet_table(name, location, partitioned) -%}
    {%- do run_query('drop table if exists ' ~ name) -%}
    {%- do run_query("create table " ~ name ~ " using parquet location '" ~ location ~ "'") -%}
    {%- if partitioned -%}
        {%- do run_query('msck repair table ' ~ name) -%}
    {%- endif -%}
{%- endmacro %}

{#- The Python models on Spark: the Dagster step before them ran the same model files and wrote
    their result as Parquet under <lake>/python_models/<model>/; this registers it as the model's
    table, so its tests and the models after it read it like any other. -#}
{% materialization lake_table, adapter='spark', supported_languages=['python', 'sql'] %}
    {%- set target = this.incorporate(type='table') -%}
    {%- if not adapter.check_schema_exists(none, this.schema) -%}
        {%- do create_schema(target) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks) }}
    {%- set location = lake_dir() ~ '/python_models/' ~ this.identifier -%}
    {%- call statement('main') -%}
        select 1
    {%- endcall -%}
    {%- do register_parquet_table(target, location, false) -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}
