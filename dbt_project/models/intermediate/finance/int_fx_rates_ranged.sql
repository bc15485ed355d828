{#- FX rates as validity ranges, so an amount converts with the rate valid on its date. -#}

with

rates as (
    select * from {{ ref('fx_rates') }}
),

final as (
    select
        upper(currency) as currency,
        units_per_usd,
        valid_from,
        lead(valid_from) over (partition by upper(currency) order by valid_from) as valid_until
    from rates
)

select * from final
