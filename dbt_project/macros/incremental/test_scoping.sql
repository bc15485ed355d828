{#- Data tests of the big incremental models read the rows the latest run wrote, as the model's
    meta says: `tests_read_rows_written_at: <run stamp column>` (the newest stamp's rows) or
    `tests_read_rows_arrived_in: <arrival date column>` (the run's partition window). Enough for
    the key tests of delete+insert models, whose keys can only repeat within one run's rows.
    The var `tests_read_all_rows: true` tests every row; a test's own `where` still applies. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set tested = _tested_node(relation) -%}
    {%- if tested is not none and not var('tests_read_all_rows', false) -%}
        {%- set meta = tested.config.get('meta', {}) or {} -%}
        {%- if meta.get('tests_read_rows_written_at') -%}
            {%- set stamp = meta['tests_read_rows_written_at'] -%}
            {%- do conditions.append(stamp ~ ' = (select max(' ~ stamp ~ ') from ' ~ relation ~ ')') -%}
        {%- elif meta.get('tests_read_rows_arrived_in') -%}
            {%- do conditions.append(partition_window_filter(meta['tests_read_rows_arrived_in'])) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The model (or snapshot) the test reads through `relation`, among the test's parents. -#}
{% macro _tested_node(relation) -%}
    {%- if not execute or model is not defined or not model.get('depends_on') -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- for unique_id in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node and node.resource_type in ('model', 'snapshot')
            and (node.alias or node.name) | lower == relation.identifier | lower
            and node.schema | lower == relation.schema | lower -%}
            {%- do return(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}
