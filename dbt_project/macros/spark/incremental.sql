{#- Incremental writes on Spark with plain Parquet tables (contract §7): no DELETE, UPDATE or MERGE
    there (those need Delta Lake or Iceberg), but a partitioned table can overwrite the partitions
    a query produces (dynamic partition overwrite), reading the table it overwrites. So every
    incremental model names a date column as `partition_by`, and a delete keeps, per partition it
    touches, the rows that stay: the partitions it cannot touch are never read or written. -#}

{#- The model's one partition column. -#}
{% macro spark_partition_column() -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- if partition_by is string -%}
        {{ return(partition_by) }}
    {%- elif partition_by and partition_by | length == 1 -%}
        {{ return(partition_by[0]) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "On Spark, " ~ this ~ " needs one date column as partition_by (config partition_by='...'): "
        ~ "its incremental deletes rewrite the partitions they touch.") }}
{%- endmacro %}

{#- Drops each partition of `relation` in `partitions` (values of its date column): a dynamic
    overwrite only replaces the partitions it writes rows to, so one left with no rows is dropped
    after it. -#}
{% macro spark_drop_partitions(relation, column, partitions) %}
    {%- for value in partitions -%}
        {%- do run_query("alter table " ~ relation ~ " drop if exists partition (" ~ column ~ " = "
                         ~ ("null" if value is none else "'" ~ value ~ "'") ~ ")") -%}
    {%- endfor -%}
{% endmacro %}

{#- The values of the first column of `sql`'s rows, as strings (none for null). -#}
{% macro spark_column_values(sql) -%}
    {%- set values = [] -%}
    {%- for row in run_query(sql) -%}
        {%- do values.append(none if row[0] is none else row[0] | string) -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}

{#- A predicate: `column` is one of the date `values` (from spark_column_values). Literal dates let
    Spark read only those partitions. -#}
{% macro spark_in_partitions(column, values) -%}
    {%- set literals = [] -%}
    {%- for value in values if value is not none -%}
        {%- do literals.append("date'" ~ value ~ "'") -%}
    {%- endfor -%}
    ({{ column }} in ({{ literals | join(', ') if literals else 'null' }})
    {%- if none in values %} or {{ column }} is null{% endif %})
{%- endmacro %}

{#- `delete from relation [as alias] where condition`, on any engine. -#}
{% macro delete_rows(relation, condition, alias=none) -%}
    {{ return(adapter.dispatch('delete_rows', 'engagement_warehouse')(relation, condition, alias)) }}
{%- endmacro %}

{% macro default__delete_rows(relation, condition, alias) -%}
    delete from {{ relation }}{% if alias %} as {{ alias }}{% endif %}
    where {{ condition }}
{%- endmacro %}

{#- The partitions the condition touches are written again with the rows that stay. The condition
    is read once, over the touched partitions only: the rows that stay are fixed first (they often
    depend on the table itself: a watermark, the rows restated), then overwrite their partitions,
    and the touched partitions left with none are dropped. The hook's statement refreshes the
    table. -#}
{% macro spark__delete_rows(relation, condition, alias) -%}
    {%- set column = spark_partition_column() -%}
    {%- set named = relation ~ (' as ' ~ alias if alias else '') -%}
    {%- set qualifier = alias or relation -%}
    {%- set touched = spark_column_values(
        'select distinct ' ~ qualifier ~ '.' ~ column ~ ' from ' ~ named ~ ' where ' ~ condition) -%}
    {%- if touched -%}
        {%- set kept = relation.identifier ~ '__kept' -%}
        {%- do run_query(spark__temporary_table_as(kept,
            'select ' ~ qualifier ~ '.* from ' ~ named ~ ' where '
            ~ spark_in_partitions(qualifier ~ '.' ~ column, touched)
            ~ ' and not coalesce((' ~ condition ~ '), false)')) -%}
        {%- set written = spark_column_values('select distinct ' ~ column ~ ' from ' ~ kept) -%}
        {%- do run_query('set spark.sql.sources.partitionOverwriteMode = dynamic') -%}
        {%- do run_query('insert overwrite table ' ~ relation ~ ' partition (' ~ column ~ ') select * from ' ~ kept) -%}
        {%- do spark_drop_partitions(relation, column, touched | reject('in', written) | list) -%}
    {%- endif -%}
    refresh table {{ relation }}
{%- endmacro %}

{#- `create or replace temporary table name as sql`: a table fixed now, which later statements of
    the run read while the model's own table changes. On Spark, a temporary view of Parquet files
    written now under the warehouse's _dbt_scratch/: a cached view would not do, since Spark
    recomputes a cache from the new data when a table it reads is written (the watermark a pre-hook
    kept would move with the model's own insert). -#}
{% macro temporary_table_as(name, sql) -%}
    {{ return(adapter.dispatch('temporary_table_as', 'engagement_warehouse')(name, sql)) }}
{%- endmacro %}

{% macro default__temporary_table_as(name, sql) -%}
    create or replace temporary table {{ name }} as
    {{ sql }}
{%- endmacro %}

{% macro spark__temporary_table_as(name, sql) -%}
    {%- set warehouse = run_query('set spark.sql.warehouse.dir').rows[0][1] -%}
    {%- set path = warehouse ~ '/_dbt_scratch/' ~ name -%}
    {%- do run_query("insert overwrite directory '" ~ path ~ "' using parquet select * from (" ~ sql ~ ") as fixed") -%}
    create or replace temporary view {{ name }} using parquet options (path '{{ path }}')
{%- endmacro %}

{#- dbt-spark knows append, insert_overwrite and merge (Delta, Iceberg, Hudi); delete+insert, the
    strategy of our keyed incremental models, is added here for Parquet tables. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'delete+insert' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy == 'delete+insert' -%}
        {{ return(spark_delete_insert_sql(source, target, unique_key)) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(
        strategy, source, target, existing, unique_key, incremental_predicates)) }}
{% endmacro %}

{#- The stored rows whose key the new rows carry are replaced (the incremental predicates only
    narrow that on DuckDB, so they are not needed here): each partition holding new rows or
    replaced ones is written again with its kept rows and its new rows, so a partition the new rows
    share with stored rows of other keys keeps those. `source` is a view of the model's query, often
    of the stored rows or of a watermark read from them: the new rows and the rows that stay are
    written to scratch Parquet first (the query runs once, and nothing changes before it has read
    the table), then overwrite their partitions, and the touched partitions left with no rows are
    dropped. The overwrite runs here; the model's main statement only refreshes the table. -#}
{% macro spark_delete_insert_sql(source, target, unique_key) -%}
    {%- set column = spark_partition_column() -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='name') | join(', ') -%}
    {#- the new rows, computed once (`source` is a view of the model's query) -#}
    {%- set fresh = target.identifier ~ '__fresh' -%}
    {%- do run_query(spark__temporary_table_as(fresh, 'select ' ~ columns ~ ' from ' ~ source)) -%}
    {%- set replaced -%}
        exists (
            select 1 from {{ fresh }} as fresh
            where
                {%- for key in keys %}
                stored.{{ key }} <=> fresh.{{ key }}{% if not loop.last %} and{% endif %}
                {%- endfor %}
        )
    {%- endset -%}
    {%- set touched = spark_column_values(
        'select ' ~ column ~ ' from ' ~ fresh ~ ' union select stored.' ~ column ~ ' from ' ~ target
        ~ ' as stored where ' ~ replaced) -%}
    {%- if touched -%}
        {#- the stored rows that stay in the touched partitions -#}
        {%- set kept = target.identifier ~ '__kept' -%}
        {%- do run_query(spark__temporary_table_as(kept,
            'select ' ~ columns ~ ' from ' ~ target ~ ' as stored where '
            ~ spark_in_partitions('stored.' ~ column, touched) ~ ' and not ' ~ replaced)) -%}
        {%- set written = spark_column_values(
            'select ' ~ column ~ ' from ' ~ fresh ~ ' union select ' ~ column ~ ' from ' ~ kept) -%}
        {%- do run_query('set spark.sql.sources.partitionOverwriteMode = dynamic') -%}
        {%- do run_query('insert overwrite table ' ~ target ~ ' partition (' ~ column ~ ') select ' ~ columns
            ~ ' from ' ~ fresh ~ ' union all select ' ~ columns ~ ' from ' ~ kept) -%}
        {%- do spark_drop_partitions(target, column, touched | reject('in', written) | list) -%}
    {%- endif -%}
    refresh table {{ target }}
{%- endmacro %}

{#- `partition_by` of an incremental model: its date column on Spark (whose deletes rewrite
    partitions), none elsewhere (DuckDB tables have no partitions). -#}
{% macro engine_partition_by(column) -%}
    {{ return(column if target.type == 'spark' else none) }}
{%- endmacro %}

{#- The marts' enforced contracts declare not_null constraints; a plain Parquet table on Spark
    cannot hold one (ALTER COLUMN ... SET NOT NULL needs Delta Lake), so there the columns' not_null
    data tests are what checks them. -#}
{% macro spark__alter_column_set_constraints(relation, column_dict) %}
{% endmacro %}

{#- `merge into relation as stored using (source_sql) as changed on join_condition when matched and
    changed_condition then update set <assignments>`, on any engine: `assignments` maps a column
    of `relation` to its new value (an expression over `stored` and `changed`). The source gives
    at most one row per stored row. On Spark (no MERGE without Delta Lake), the partitions holding
    a row to update are written again, each row updated or kept. -#}
{% macro update_rows(relation, source_sql, join_condition, changed_condition, assignments) -%}
    {{ return(adapter.dispatch('update_rows', 'engagement_warehouse')(
        relation, source_sql, join_condition, changed_condition, assignments)) }}
{%- endmacro %}

{% macro default__update_rows(relation, source_sql, join_condition, changed_condition, assignments) -%}
    merge into {{ relation }} as stored
    using ({{ source_sql }}) as changed
        on {{ join_condition }}
    when matched and ({{ changed_condition }}) then update set
        {%- for column, expression in assignments.items() %}
        {{ column }} = {{ expression }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}

{% macro spark__update_rows(relation, source_sql, join_condition, changed_condition, assignments) -%}
    {%- set column = spark_partition_column() -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- do run_query('set spark.sql.sources.partitionOverwriteMode = dynamic') -%}
    insert overwrite table {{ relation }} partition ({{ column }})
    select
        {%- for name in columns %}
        {%- if name in assignments %}
        case
            when changed.is_matched and ({{ changed_condition }}) then {{ assignments[name] }}
            else stored.{{ name }}
        end as {{ name }}
        {%- else %}
        stored.{{ name }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }} as stored
    left join (select *, true as is_matched from ({{ source_sql }}) as source_rows) as changed
        on {{ join_condition }}
    where stored.{{ column }} in (
        select stored.{{ column }}
        from {{ relation }} as stored
        inner join ({{ source_sql }}) as changed
            on {{ join_condition }}
        where {{ changed_condition }}
    )
{%- endmacro %}

{#- `create or replace table relation as sql`, a table kept between runs. Spark's Parquet tables
    cannot be replaced in one statement: the old one is dropped first. -#}
{% macro replace_table_as(relation, sql) -%}
    {{ return(adapter.dispatch('replace_table_as', 'engagement_warehouse')(relation, sql)) }}
{%- endmacro %}

{% macro default__replace_table_as(relation, sql) -%}
    create or replace table {{ relation }} as
    {{ sql }}
{%- endmacro %}

{% macro spark__replace_table_as(relation, sql) -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    create table {{ relation }} using parquet as
    {{ sql }}
{%- endmacro %}
