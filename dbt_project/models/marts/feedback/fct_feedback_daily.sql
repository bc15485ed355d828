{#- Survey KPIs per day, survey type, trigger and channel, with the counts they are computed
    from: BI tools re-aggregate NPS, CES and CSAT from the counts, never by averaging the ratios. -#}

with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

final as (
    select
        submitted_date,
        survey_type,
        {{ adapter.quote('trigger') }},
        channel,
        cast(count(*) as {{ dbt.type_bigint() }}) as responses,
        cast(sum(score) as {{ dbt.type_bigint() }}) as score_sum,
        cast(sum(case when nps_category = 'promoter' then 1 else 0 end) as {{ dbt.type_bigint() }}) as promoters,
        cast(sum(case when nps_category = 'detractor' then 1 else 0 end) as {{ dbt.type_bigint() }}) as detractors,
        cast(sum(case when is_satisfied then 1 else 0 end) as {{ dbt.type_bigint() }}) as satisfied,
        case
            when survey_type = 'nps'
                -- a double on every engine (Spark keeps `100.0 * ...` a decimal)
                then cast(100 * (
                    sum(case when nps_category = 'promoter' then 1 else 0 end)
                    - sum(case when nps_category = 'detractor' then 1 else 0 end)
                ) as double) / count(*)
        end as nps,
        case when survey_type = 'ces' then cast(sum(score) as double) / count(*) end as ces,
        case
            when survey_type = 'csat' then cast(sum(case when is_satisfied then 1 else 0 end) as double) / count(*)
        end as csat
    from responses
    group by 1, 2, 3, 4
)

select * from final
