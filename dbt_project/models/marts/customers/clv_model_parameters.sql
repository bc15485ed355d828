{#- The fitted CLV model parameters (contract §4): BG/NBD r, alpha, a, b and Gamma-Gamma p, q,
    gamma, with the fit's log-likelihood, the customers it used and the observation end. -#}

with

fitted as (
    select * from {{ ref('int_clv_parameters_fitted') }}
),

final as (
    select
        cast(model as varchar) as model,
        cast(parameter as varchar) as parameter,
        cast(value as double) as value,
        cast(log_likelihood as double) as log_likelihood,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(observation_end as date) as observation_end
    from fitted
)

select * from final
