{#- The fitted CLV model parameters (contract §4), one row per fit, model and parameter; null
    values when a fit could not run. -#}

with

fitted as (
    select * from {{ ref('int_clv_parameters_fitted') }}
),

final as (
    select
        cast(fit as {{ dbt.type_string() }}) as fit,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(parameter as {{ dbt.type_string() }}) as parameter,
        cast(value as double) as value,
        cast(log_likelihood as double) as log_likelihood,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(observation_end as date) as observation_end,
        cast(fit_status as {{ dbt.type_string() }}) as fit_status,
        cast(fit_status_reason as {{ dbt.type_string() }}) as fit_status_reason
    from fitted
)

select * from final
