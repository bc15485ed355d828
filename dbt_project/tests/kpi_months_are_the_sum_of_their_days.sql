-- Contract: monthly figures of additive KPIs are the sums of their days (numerator and
-- denominator alike), for every segment.
with

metrics as (
    select * from {{ ref('kpi_metrics') }}
),

additive as (
    select kpi from {{ ref('kpi_catalogue') }}
    where is_additive
),

days_rolled_up as (
    select
        kpi, segment_type, segment_value,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as month_start,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from metrics
    where period_grain = 'day' and kpi in (select kpi from additive)
    group by 1, 2, 3, 4
),

months as (
    select * from metrics
    where period_grain = 'month' and kpi in (select kpi from additive)
)

select months.kpi, months.segment_type, months.segment_value, months.period_start
from months
full outer join days_rolled_up
    on
        months.kpi = days_rolled_up.kpi
        and months.segment_type = days_rolled_up.segment_type
        and months.segment_value = days_rolled_up.segment_value
        and months.period_start = days_rolled_up.month_start
where
    months.kpi is null
    or days_rolled_up.kpi is null
    or abs(months.numerator - days_rolled_up.numerator) > 1e-6
    or abs(coalesce(months.denominator, 0) - coalesce(days_rolled_up.denominator, 0)) > 1e-6
