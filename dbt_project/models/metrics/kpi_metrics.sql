{#- Every KPI for every period grain and segment (contract §4), with numerator and denominator so
    any tool can re-aggregate ratios, and the previous period's value. Additive KPIs are sums of
    their days; the rest are counted per period. -#}

{%- set grains = ['day', 'week', 'month'] %}

with

-- Only the KPIs the catalogue marks additive are summed from days: rows of a KPI that has since
-- become a per-period count (the repeat purchase rate before version 2) are never read again.
additive_kpis as (
    select kpi from {{ ref('kpi_catalogue') }}
    where is_additive
),

daily as (
    select
        days.metric_date,
        days.segment_type,
        days.segment_value,
        days.kpi,
        days.numerator,
        days.denominator
    from {{ ref('int_kpi_daily') }} as days
    inner join additive_kpis
        on days.kpi = additive_kpis.kpi
),

observation as (
    select * from {{ ref('int_observation_window') }}
),

additive as (
    {%- for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'metric_date') }} as date) as period_start,
            segment_type,
            segment_value,
            kpi,
            sum(numerator) as numerator,
            sum(denominator) as denominator
        from daily
        group by 1, 2, 3, 4, 5
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

combined as (
    select * from additive
    {#- the KPIs counted per period (distinct visitors, customers or recipients), never summed from days #}
    {%- for per_period in ['int_kpi_distinct', 'int_kpi_email_engagement', 'int_kpi_repeat_purchase_rate',
                           'int_kpi_churn_rate'] %}
        union all
        select
            period_grain,
            period_start,
            segment_type,
            segment_value,
            kpi,
            numerator,
            denominator
        from {{ ref(per_period) }}
    {%- endfor %}
),

valued as (
    select
        *,
        case
            when denominator is null then numerator
            when denominator = 0 then null
            else numerator / denominator
        end as value,
        case period_grain
            when 'day' then {{ dbt.dateadd('day', -1, 'period_start') }}
            when 'week' then {{ dbt.dateadd('day', -7, 'period_start') }}
            else {{ dbt.dateadd('month', -1, 'period_start') }}
        end as previous_period_start,
        case period_grain
            when 'day' then {{ dbt.dateadd('day', 1, 'period_start') }}
            when 'week' then {{ dbt.dateadd('day', 7, 'period_start') }}
            else {{ dbt.dateadd('month', 1, 'period_start') }}
        end as next_period_start
    from combined
),

final as (
    select
        current_period.period_grain,
        current_period.period_start,
        cast(current_period.next_period_start as date) as period_end_exclusive,
        current_period.segment_type,
        current_period.segment_value,
        current_period.kpi,
        current_period.value,
        current_period.numerator,
        current_period.denominator,
        previous_period.value as previous_value,
        current_period.value - previous_period.value as change,
        (current_period.value - previous_period.value) / nullif(abs(previous_period.value), 0) as change_ratio,
        coalesce(
            current_period.period_start >= cast('{{ warehouse_start_date() }}' as date)
            and cast(current_period.next_period_start as date)
            <= {{ dbt.dateadd('day', 1, 'observation.observation_end') }},
            false
        ) as is_complete_period
    from valued as current_period
    cross join observation
    left join valued as previous_period
        on
            current_period.period_grain = previous_period.period_grain
            and current_period.segment_type = previous_period.segment_type
            and current_period.segment_value = previous_period.segment_value
            and current_period.kpi = previous_period.kpi
            and cast(current_period.previous_period_start as date) = previous_period.period_start
)

select * from final
