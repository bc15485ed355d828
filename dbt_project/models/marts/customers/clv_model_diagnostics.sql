{#- How the CLV fits did (contract §4, "Marts added in version 2"), one row per fit and metric:
    what each fit saw, and the calibration fit's check on the holdout. -#}

with

evaluated as (
    select * from {{ ref('int_clv_holdout_evaluated') }}
),

final as (
    select
        cast(fit as {{ dbt.type_string() }}) as fit,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(value as double) as value
    from evaluated
)

select * from final
