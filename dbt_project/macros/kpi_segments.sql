{#-
    Segment types of the KPI layer (contract §4, kpi_metrics): each is a (segment_type, SQL
    expression) pair evaluated on a fact row. `all` is always there; the others only where the
    KPI's data carries them. Customer attributes describe the customer as of the last refresh
    (dim_customers); rows of unidentified visitors fall in 'anonymous' (or 'guest' for orders).
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

{#- One row per fact and segment type: the fact's columns plus segment_type and segment_value. -#}
{% macro explode_segments(relation_sql, segments, columns) -%}
    {%- for segment_type, expression in segments %}
    select
        '{{ segment_type }}' as segment_type,
        cast({{ expression }} as varchar) as segment_value,
        {{ columns | join(', ') }}
    from {{ relation_sql }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
