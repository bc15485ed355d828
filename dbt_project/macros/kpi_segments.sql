{#-
    Segment types of the KPI layer (contract §4, kpi_metrics): each is a (segment_type, SQL
    expression) pair evaluated on a fact row. `all` is always there; the others only where the
    KPI's data carries them. Customer segment types take the customer's segment on the fact's
    business date (contract §4, "Segments as they were"): the relation joined as `customer` is
    customer_segments_on_days, one row per customer and day from customer_segment_history. Rows
    of unidentified visitors fall in 'anonymous' (or 'guest' for orders).
-#}

{% macro customer_segments(missing) -%}
    {{ return([
        ('age_band', "coalesce(customer.age_band, '" ~ missing ~ "')"),
        ('gender', "coalesce(customer.gender, '" ~ missing ~ "')"),
        ('rfm_segment', "coalesce(customer.rfm_segment, '" ~ missing ~ "')"),
        ('behavioral_segment', "coalesce(customer.behavioral_segment, '" ~ missing ~ "')"),
        ('lifecycle_stage', "coalesce(customer.lifecycle_stage, '" ~ missing ~ "')"),
        ('psychographic_segment', "coalesce(customer.psychographic_segment, '" ~ missing ~ "')"),
    ]) }}
{%- endmacro %}

{% macro session_segments() -%}
    {{ return([
        ('all', "'all'"),
        ('channel_group', "fact.channel_group"),
        ('device_type', "coalesce(fact.device_type, 'unknown')"),
        ('platform', "coalesce(fact.platform, 'unknown')"),
        ('region', "coalesce(fact.region, 'unknown')"),
        ('customer_type', "case when fact.session_number = 1 then 'new visitor' else 'returning visitor' end"),
        ('session_duration_band', "case when fact.duration_seconds < 10 then '0-10 s' when fact.duration_seconds < 60 then '10-60 s' when fact.duration_seconds < 180 then '1-3 min' when fact.duration_seconds < 600 then '3-10 min' else '10+ min' end"),
    ] + customer_segments('anonymous')) }}
{%- endmacro %}

{% macro order_segments() -%}
    {{ return([
        ('all', "'all'"),
        ('channel_group', "coalesce(fact.channel_group, 'Offline or unknown')"),
        ('sales_channel', "coalesce(fact.sales_channel, 'unknown')"),
        ('customer_type', "case when fact.is_first_order then 'new customer' else 'returning customer' end"),
        ('region', "coalesce(customer.region, 'guest')"),
    ] + customer_segments('guest')) }}
{%- endmacro %}

{% macro survey_segments() -%}
    {{ return([
        ('all', "'all'"),
        ('survey_trigger', "coalesce(fact." ~ adapter.quote('trigger') ~ ", 'unknown')"),
        ('survey_channel', "coalesce(fact.channel, 'unknown')"),
        ('region', "coalesce(customer.region, 'anonymous')"),
    ] + customer_segments('anonymous')) }}
{%- endmacro %}

{#- Segment types whose membership can change without the facts changing: region, which is the
    customer's (their current CRM profile) for orders and surveys, is restated over all history
    by an incremental run. The customer segment types are restated from the earliest day whose
    segments or facts changed (restate_from of macros/incremental/segment_history_restatement.sql), and every
    other segment type is a fixed property of its fact, so only the days whose facts changed are
    recomputed. A session's region is its own (its first event's), so the session KPIs
    (session_kpis) keep theirs. -#}
{% macro restated_segment_types() -%}
    {{ return(['region']) }}
{%- endmacro %}

{#- The names of the customer segment types (as of the fact's day). -#}
{% macro customer_segment_types() -%}
    {{ return(customer_segments('') | map('first') | list) }}
{%- endmacro %}

{#- Each fact's customer with their segments on the fact's day: one row per (customer_id,
    as_of_date) of `customer_days_sql`, with a column per customer segment type from the
    `segment_history` (customer_segment_history) interval holding that day, plus the customer's
    current `region` and `orders` (`customers`: dim_customers), which some KPIs read. The model
    passes both relations in, so that it names what it reads. -#}
{% macro customer_segments_on_days(customer_days_sql, segment_history, customers) -%}
    select
        fact_days.customer_id,
        fact_days.as_of_date,
        {%- for segment_type in customer_segment_types() %}
        max(case when history.segment_type = '{{ segment_type }}' then history.segment_value end) as {{ segment_type }},
        {%- endfor %}
        max(current_customer.region) as region,
        max(current_customer.orders) as orders
    from ({{ customer_days_sql }}) as fact_days
    left join {{ segment_history }} as history
        on
            fact_days.customer_id = history.customer_id
            and history.valid_from <= fact_days.as_of_date
            and (history.valid_to is null or fact_days.as_of_date < history.valid_to)
    left join {{ customers }} as current_customer
        on fact_days.customer_id = current_customer.customer_id
    group by 1, 2
{%- endmacro %}



{#- The daily KPIs of sessions (kpi_catalogue: additive, from fct_sessions). -#}
{% macro session_kpis() -%}
    {{ return(kpi_definitions() | selectattr('source_model', 'equalto', 'fct_sessions')
              | selectattr('is_additive') | map(attribute='kpi') | list) }}
{%- endmacro %}

{#- One row per fact and segment type: the fact's columns plus segment_type and segment_value.
    With `only_touched`, facts of the segment types outside `restated` (restated_segment_types()
    unless given) are limited to the days in `touched_days` (a CTE of the calling model) through
    `date_expression`, and those of customer segment types also to the days from
    `segment_restate_from` (a scalar SQL expression) on. -#}
{% macro explode_segments(relation_sql, segments, columns, date_expression=none, only_touched=false, restated=none,
                          segment_restate_from=none) -%}
    {{ return(adapter.dispatch('explode_segments', 'engagement_warehouse')(
        relation_sql, segments, columns, date_expression, only_touched, restated, segment_restate_from)) }}
{%- endmacro %}

{#- A select per segment type, united: DuckDB reads the shared CTEs once and pushes each type's
    day bound into its scan. -#}
{% macro default__explode_segments(relation_sql, segments, columns, date_expression, only_touched, restated,
                                   segment_restate_from) -%}
    {%- set restated = restated_segment_types() if restated is none else restated %}
    {%- set customer_types = customer_segment_types() %}
    {%- for segment_type, expression in segments %}
    select
        '{{ segment_type }}' as segment_type,
        cast({{ expression }} as {{ dbt.type_string() }}) as segment_value,
        {{ columns | join(', ') }}
    from {{ relation_sql }}
    {%- if only_touched and segment_type in customer_types and segment_restate_from is not none %}
    where
        {{ date_expression }} in (select metric_date from touched_days)
        or {{ date_expression }} >= {{ segment_restate_from }}
    {%- elif only_touched and segment_type not in restated %}
    where
        {{ date_expression }} in (select metric_date from touched_days)
        -- a scalar bound as well, which lets the scan skip older row groups
        and {{ date_expression }} >= (select min(metric_date) from touched_days)
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Spark inlines a CTE into every select that reads it, so a select per segment type would
    compute the shared CTEs (the customers' segments on their days, above all) once per type. This
    reads `relation_sql` once and repeats each row per segment type by a join to the list of
    types, keeping each type's day filter. -#}
{% macro spark__explode_segments(relation_sql, segments, columns, date_expression, only_touched, restated,
                                 segment_restate_from) -%}
    {%- set restated = restated_segment_types() if restated is none else restated %}
    {%- set customer_types = customer_segment_types() %}
    {%- set filters = {'customer': [], 'fixed': [], 'all': []} %}
    {%- for segment_type, expression in segments %}
        {%- if only_touched and segment_type in customer_types and segment_restate_from is not none %}
            {%- do filters['customer'].append(segment_type) %}
        {%- elif only_touched and segment_type not in restated %}
            {%- do filters['fixed'].append(segment_type) %}
        {%- else %}
            {%- do filters['all'].append(segment_type) %}
        {%- endif %}
    {%- endfor %}
    select
        segment_types.segment_type,
        case segment_types.segment_type
        {%- for segment_type, expression in segments %}
            when '{{ segment_type }}' then cast({{ expression }} as {{ dbt.type_string() }})
        {%- endfor %}
        end as segment_value,
        {{ columns | join(', ') }}
    from {{ relation_sql }}
    cross join (
        values {% for segment_type, expression in segments %}('{{ segment_type }}'){{ ', ' if not loop.last }}{% endfor %}
    ) as segment_types (segment_type)
    {%- if filters['customer'] or filters['fixed'] %}
    where
        {%- set conditions = [] %}
        {%- if filters['all'] %}
            {%- do conditions.append("segment_types.segment_type in ('" ~ filters['all'] | join("', '") ~ "')") %}
        {%- endif %}
        {%- if filters['customer'] %}
            {%- do conditions.append("(segment_types.segment_type in ('" ~ filters['customer'] | join("', '") ~ "')"
                ~ " and (" ~ date_expression ~ " in (select metric_date from touched_days)"
                ~ " or " ~ date_expression ~ " >= " ~ segment_restate_from ~ "))") %}
        {%- endif %}
        {%- if filters['fixed'] %}
            {%- do conditions.append("(segment_types.segment_type in ('" ~ filters['fixed'] | join("', '") ~ "')"
                ~ " and " ~ date_expression ~ " in (select metric_date from touched_days))") %}
        {%- endif %}
        {{ conditions | join('\n        or ') }}
    {%- endif %}
{%- endmacro %}

{#- The rows of `relation_sql` (joined to dim_customers as `customer`) summed per `group_columns`
    and combination of the customer's segment values, one column per customer segment type,
    named after it. Many customers share a combination, so exploding these rows by segment type
    (with combination_segments) reads far fewer rows than one per customer (bench/README.md). -#}
{% macro customer_segment_combinations(relation_sql, group_columns, sums, missing) -%}
    {%- set segments = customer_segments(missing) %}
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        {%- for segment_type, expression in segments %}
        cast({{ expression }} as {{ dbt.type_string() }}) as {{ segment_type }},
        {%- endfor %}
        {{ sums | join(',\n        ') }}
    from {{ relation_sql }}
    group by
        {%- for position in range(1, group_columns | length + segments | length + 1) %}
        {{ position }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}

{#- The customer segment types read from the columns of customer_segment_combinations. -#}
{% macro combination_segments() -%}
    {%- set segments = [] %}
    {%- for segment_type, expression in customer_segments('') %}
        {%- do segments.append((segment_type, 'fact.' ~ segment_type)) %}
    {%- endfor %}
    {{ return(segments) }}
{%- endmacro %}

{#- `pattern` for each measure name, with @ standing for the name. -#}
{% macro each_measure(names, pattern) -%}
    {%- set columns = [] %}
    {%- for name in names %}
        {%- do columns.append(pattern | replace('@', name)) %}
    {%- endfor %}
    {{ return(columns) }}
{%- endmacro %}

{#- Per day and segment, the sum of each measure column. -#}
{% macro sum_by_segment(relation, measures) -%}
    select
        metric_date,
        segment_type,
        segment_value,
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by 1, 2, 3
{%- endmacro %}
