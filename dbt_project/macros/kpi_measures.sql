{#- What each fact row of a mart adds to the measures its KPIs divide (kpi_catalogue's numerator
    and denominator), as (measure, SQL expression on the mart's columns). int_kpi_daily sums them
    per day and segment; the semantic models declare the same measures for MetricFlow. -#}
{% macro kpi_measures(source_model) -%}
    {%- set measures = {
        'fct_sessions': [
            ('sessions', '1'),
            ('page_views', 'page_views'),
            ('session_duration_seconds', 'duration_seconds'),
            ('bounced_sessions', 'case when is_bounce then 1 else 0 end'),
            ('engaged_sessions', 'case when is_engaged then 1 else 0 end'),
            ('converted_sessions', 'case when has_purchase then 1 else 0 end'),
            ('cart_sessions', 'case when add_to_carts > 0 then 1 else 0 end'),
            ('abandoned_cart_sessions', 'case when add_to_carts > 0 and not has_purchase then 1 else 0 end'),
        ],
        'fct_orders': [
            ('completed_orders', '1'),
            ('completed_revenue', 'net_revenue'),
            ('first_orders', 'case when is_first_order then 1 else 0 end'),
        ],
        'fct_survey_responses': [
            ('nps_responses', "case when survey_type = 'nps' then 1 else 0 end"),
            ('promoters_minus_detractors',
             "case when nps_category = 'promoter' then 1 when nps_category = 'detractor' then -1 else 0 end"),
            ('ces_responses', "case when survey_type = 'ces' then 1 else 0 end"),
            ('ces_score_sum', "case when survey_type = 'ces' then score else 0 end"),
            ('csat_responses', "case when survey_type = 'csat' then 1 else 0 end"),
            ('satisfied_responses', 'case when is_satisfied then 1 else 0 end'),
        ],
        'fct_marketing_performance': [
            ('ad_impressions', 'impressions'),
            ('ad_clicks', 'clicks'),
            ('ad_spend', 'spend'),
            ('attributed_revenue', 'revenue'),
        ],
        'fct_social_shares_daily': [('social_shares', 'social_shares')],
    } -%}
    {%- if source_model not in measures %}
        {{ exceptions.raise_compiler_error(
            "no KPI measures are defined for " ~ source_model ~ " (kpi_catalogue.source_model): add them to "
            ~ "macros/kpi_measures.sql and a <source_model>_totals CTE to int_kpi_daily, or mark the KPI "
            ~ "is_additive false and count it per period in a model of its own") }}
    {%- endif %}
    {{ return(measures[source_model]) }}
{%- endmacro %}

{#- The measures of a mart as select columns: `expression as measure`. -#}
{% macro kpi_measure_columns(source_model) -%}
    {%- set columns = [] %}
    {%- for measure, expression in kpi_measures(source_model) %}
        {%- do columns.append(expression ~ ' as ' ~ measure) %}
    {%- endfor %}
    {{ return(columns) }}
{%- endmacro %}

{#- The names of a mart's measures. -#}
{% macro kpi_measure_names(source_model) -%}
    {{ return(kpi_measures(source_model) | map('first') | list) }}
{%- endmacro %}
