{#-
    Data tests of the big incremental models check the rows the latest run wrote, not the whole
    history again. A model declares how its written rows are found, in its meta:

    - `tests_read_rows_written_at: <column>`: a run stamp (every row one run writes carries the
      same value), so the rows with the newest stamp are the latest run's;
    - `tests_read_rows_arrived_in: <column>`: an arrival date, read within the run's partition
      window (all history when no window is set, as in a full refresh or a plain `dbt build`).

    This is complete for the key tests of delete+insert models: a run deletes every stored row
    whose key it writes again, so a key can only repeat within what one run wrote, and rows not
    written were tested when they were. Set the var `tests_read_all_rows: true` to test every
    row anyway. The test's own `where` config, if any, still applies.
-#}
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
