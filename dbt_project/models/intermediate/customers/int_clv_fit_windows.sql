{#-
    The two CLV fits (contract §4) and the history each sees: `full` up to the observation end
    (the last loaded day), `calibration` up to WAREHOUSE_CLV_HOLDOUT_DAYS before it, so the days
    after its cut-off can check it. Each carries WAREHOUSE_CLV_MIN_HISTORY_DAYS, the shortest
    history a fit is trusted on.
-#}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

fits as (
    select
        'full' as fit,
        observation_end as fit_end
    from observation
    union all
    select
        'calibration' as fit,
        {{ dbt.dateadd('day', -1 * clv_holdout_days(), 'observation_end') }} as fit_end
    from observation
),

final as (
    select
        fits.fit,
        cast(fits.fit_end as date) as fit_end,
        observation.observation_end,
        cast({{ clv_holdout_days() }} as integer) as holdout_days,
        cast({{ clv_min_history_days() }} as integer) as min_history_days
    from fits
    cross join observation
)

select * from final
