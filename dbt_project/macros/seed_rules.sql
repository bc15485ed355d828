{#- Seed rules written into the SQL as one CASE with constant patterns, read when the model runs:
    joining every event to every rule would compile each regular expression once per row.
    Models that use them declare `-- depends_on:` the seed. -#}

{#- The seed's table, not ref(): in a unit test ref() names a fixture that exists only inside the
    test query, while the rules are read before it runs (unit tests use the real rules). -#}
{% macro _seed_relation(seed_name) %}
    {%- for node in (graph.get('nodes') or {}).values()
        if node.resource_type == 'seed' and node.package_name == project_name and node.name == seed_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {#- Unit tests see no graph: seeds live in the `reference` schema (dbt_project.yml). -#}
    {{ return(api.Relation.create(database=target.get('database'), schema='reference', identifier=seed_name)) }}
{% endmacro %}

{% macro _seed_rows(seed_name, columns) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select {{ columns | join(', ') }} from {{ _seed_relation(seed_name) }} order by priority
    {%- endset -%}
    {{ return(run_query(query).rows) }}
{% endmacro %}

{#- A string literal. Standard SQL (DuckDB) keeps backslashes as they are, which regular
    expressions need; Spark reads them as escapes, so they are doubled there. -#}
{% macro _sql_string(value) -%}
    {{ return(adapter.dispatch('string_literal', 'engagement_warehouse')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- Page type of a (cleaned) path: the first page_types pattern that matches, else 'other'. -#}
{% macro page_type_case(path_expr) -%}
    case
        {%- for row in _seed_rows('page_types', ['page_type', 'path_pattern']) %}
        when {{ regex_matches(path_expr, _sql_string(row[1])) }} then {{ _sql_string(row[0]) }}
        {%- endfor %}
        else 'other'
    end
{%- endmacro %}

{#- Channel group of a session's traffic: the first channel_groups rule whose non-empty patterns
    all match the source, medium and referrer host, else 'Unassigned'. -#}
{% macro channel_group_case(source_expr, medium_expr, referrer_expr) -%}
    case
        {%- for row in _seed_rows('channel_groups', ['channel_group', 'source_pattern', 'medium_pattern', 'referrer_pattern']) %}
        when
            {%- set conditions = [] %}
            {%- if row[1] %}{% do conditions.append(regex_matches(source_expr, _sql_string(row[1]))) %}{% endif %}
            {%- if row[2] %}{% do conditions.append(regex_matches(medium_expr, _sql_string(row[2]))) %}{% endif %}
            {%- if row[3] %}{% do conditions.append(regex_matches(referrer_expr, _sql_string(row[3]))) %}{% endif %}
            {{ conditions | join(' and ') if conditions else 'true' }}
        then {{ _sql_string(row[0]) }}
        {%- endfor %}
        else 'Unassigned'
    end
{%- endmacro %}

{#- Psychographic segment of a ';'-separated interest list: the segment of the highest-priority
    interest it contains (psychographic_segments seed), else 'Unknown'. -#}
{% macro psychographic_segment_case(interests_expr) -%}
    case
        {%- for row in _seed_rows('psychographic_segments', ['interest', 'psychographic_segment']) %}
        when ';' || lower({{ interests_expr }}) || ';' like {{ _sql_string('%;' ~ row[0] ~ ';%') }}
            then {{ _sql_string(row[1]) }}
        {%- endfor %}
        else 'Unknown'
    end
{%- endmacro %}

{#- Engagement score 0-100: the weighted mean (engagement_score_weights seed) of each
    component's percentile among all customers (within `partition_by`, e.g. the as-of date of a
    daily history), times 100. Components are columns of the relation the expression is used on,
    named as in the seed. -#}
{% macro engagement_score_expression(partition_by=none) -%}
    {%- set rows = _seed_rows_unordered('engagement_score_weights', ['component', 'weight']) -%}
    {%- if rows | length == 0 -%}
        cast(null as double)
    {%- else -%}
        round(100.0 * (
            {%- for row in rows %}
            {{ row[1] }} * percent_rank() over ({% if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ row[0] }})
            {%- if not loop.last %} +{% endif %}
            {%- endfor %}
        ) / {{ rows | map(attribute=1) | sum }}, 1)
    {%- endif -%}
{%- endmacro %}

{% macro _seed_rows_unordered(seed_name, columns) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select {{ columns | join(', ') }} from {{ _seed_relation(seed_name) }} order by 1
    {%- endset -%}
    {{ return(run_query(query).rows) }}
{% endmacro %}
