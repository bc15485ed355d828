{#- One row per KPI: the latest complete period at the scorecard grain, for segment all, against
    target, benchmark and the period before (only when that one is complete too: a period partly
    outside the loaded days would show growth that is only missing days). -#}

{%- set grain = var('kpi_scorecard_grain') %}
{%- set tolerance = var('kpi_at_risk_tolerance') %}
{%- if grain not in ['day', 'week', 'month'] %}
    {{ exceptions.raise_compiler_error(
        "var kpi_scorecard_grain = '" ~ grain ~ "' is not a period grain; use day, week or month") }}
{%- endif %}

with

metrics as (
    select * from {{ ref('kpi_metrics') }}
    where period_grain = '{{ grain }}' and segment_type = 'all'
),

catalogue as (
    select * from {{ ref('kpi_catalogue') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
    where period_grain = '{{ grain }}'
),

benchmarks as (
    select * from {{ ref('kpi_benchmarks') }}
),

reporting_period as (
    select
        max(period_start) as period_start,
        -- a week as 7 days, as kpi_metrics does: not every engine's dateadd knows weeks
        cast({{ dbt.dateadd('month', -1, 'max(period_start)') if grain == 'month'
            else dbt.dateadd('day', -7 if grain == 'week' else -1, 'max(period_start)') }} as date)
            as previous_period_start
    from metrics
    where is_complete_period
),

current_values as (
    select metrics.*
    from metrics
    inner join reporting_period
        on metrics.period_start = reporting_period.period_start
),

previous_values as (
    select
        metrics.kpi,
        metrics.value
    from metrics
    inner join reporting_period
        on metrics.period_start = reporting_period.previous_period_start
    where metrics.is_complete_period
),

current_targets as (
    select
        targets.kpi,
        targets.target,
        row_number() over (partition by targets.kpi order by targets.valid_from desc) as target_rank
    from targets
    inner join reporting_period
        on targets.valid_from <= reporting_period.period_start
),

scored as (
    select
        catalogue.kpi,
        reporting_period.period_start,
        current_values.value,
        cast(current_targets.target as double) as target,
        previous_values.value as previous_value,
        catalogue.better_direction
    from catalogue
    cross join reporting_period
    left join current_values
        on catalogue.kpi = current_values.kpi
    left join previous_values
        on catalogue.kpi = previous_values.kpi
    left join current_targets
        on catalogue.kpi = current_targets.kpi and current_targets.target_rank = 1
),

final as (
    select
        scored.kpi,
        '{{ grain }}' as period_grain,
        scored.period_start,
        scored.value,
        scored.target,
        cast(benchmarks.benchmark as double) as benchmark,
        scored.previous_value,
        scored.value - scored.previous_value as change,
        case
            when scored.value is null then 'no data'
            when scored.target is null then 'no target'
            when scored.better_direction = 'higher' and scored.value >= scored.target then 'on track'
            when scored.better_direction = 'lower' and scored.value <= scored.target then 'on track'
            when
                scored.better_direction = 'higher'
                and scored.value >= scored.target * (1 - {{ tolerance }}) then 'at risk'
            when
                scored.better_direction = 'lower'
                and scored.value <= scored.target * (1 + {{ tolerance }}) then 'at risk'
            else 'off track'
        end as status,
        catalogue.unit,
        catalogue.better_direction,
        catalogue.description,
        benchmarks.source as benchmark_source
    from scored
    inner join catalogue
        on scored.kpi = catalogue.kpi
    left join benchmarks
        on scored.kpi = benchmarks.kpi
)

select * from final
