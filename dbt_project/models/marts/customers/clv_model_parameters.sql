{#- The fitted CLV model parameters (contract §4): per fit (`full`, which makes the predictions,
    and `calibration`, checked in clv_model_diagnostics), BG/NBD r, alpha, a, b and Gamma-Gamma p,
    q, gamma, with the fit's log-likelihood, the customers it used, its observation end and its
    status. The rows are there for every fit; values are null when the fit could not run. -#}

with

fitted as (
    select * from {{ ref('int_clv_parameters_fitted') }}
),

final as (
    select
        cast(fit as varchar) as fit,
        cast(model as varchar) as model,
        cast(parameter as varchar) as parameter,
        cast(value as double) as value,
        cast(log_likelihood as double) as log_likelihood,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(observation_end as date) as observation_end,
        cast(fit_status as varchar) as fit_status,
        cast(fit_status_reason as varchar) as fit_status_reason
    from fitted
)

select * from final
