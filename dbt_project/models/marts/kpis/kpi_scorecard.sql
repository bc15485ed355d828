{#-
    One row per KPI (contract §4): the latest complete period at the scorecard grain
    (var kpi_scorecard_grain, default week), for segment all, against its target, benchmark and
    previous period, with a status that respects the KPI's better direction:
    on track = meets the target; at risk = misses it by less than kpi_at_risk_tolerance (10%);
    off track = misses it by more; no target = none set for the period.
-#}

{%- set grain = var('kpi_scorecard_grain') %}
{%- set tolerance = var('kpi_at_risk_tolerance') %}

with

metrics as (
    select * from {{ ref('kpi_metrics') }}
    where period_grain = '{{ grain }}' and segment_type = 'all' and is_complete_period
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

latest as (
    select
        *,
        row_number() over (partition by kpi order by period_start desc) as recency_rank
    from metrics
),

with_targets as (
    select
        latest.*,
        targets.target,
        row_number() over (
            partition by latest.kpi order by targets.valid_from desc
        ) as target_rank
    from latest
    left join targets
        on latest.kpi = targets.kpi and targets.valid_from <= latest.period_start
    where latest.recency_rank = 1
),

final as (
    select
        catalogue.kpi,
        '{{ grain }}' as period_grain,
        with_targets.period_start,
        with_targets.value,
        cast(with_targets.target as double) as target,
        cast(benchmarks.benchmark as double) as benchmark,
        with_targets.previous_value,
        with_targets.change,
        case
            when with_targets.value is null then 'no data'
            when with_targets.target is null then 'no target'
            when catalogue.better_direction = 'higher' and with_targets.value >= with_targets.target then 'on track'
            when catalogue.better_direction = 'lower' and with_targets.value <= with_targets.target then 'on track'
            when catalogue.better_direction = 'higher'
                and with_targets.value >= with_targets.target * (1 - {{ tolerance }}) then 'at risk'
            when catalogue.better_direction = 'lower'
                and with_targets.value <= with_targets.target * (1 + {{ tolerance }}) then 'at risk'
            else 'off track'
        end as status,
        catalogue.unit,
        catalogue.better_direction,
        catalogue.description,
        benchmarks.source as benchmark_source
    from catalogue
    left join with_targets
        on catalogue.kpi = with_targets.kpi and (with_targets.target_rank = 1)
    left join benchmarks
        on catalogue.kpi = benchmarks.kpi
)

select * from final
