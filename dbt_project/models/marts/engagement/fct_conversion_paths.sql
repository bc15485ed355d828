{#- Paths to conversion (the "session record analysis"): sessions and conversions per path.
    A small aggregate over all sessions, rebuilt whole (the folder default is incremental). -#}
{{ config(materialized='table') }}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

final as (
    select
        conversion_path as path,
        count(*) as sessions,
        cast(sum(case when has_purchase then 1 else 0 end) as {{ dbt.type_bigint() }}) as conversions,
        cast(sum(case when has_purchase then 1 else 0 end) as double)
        / count(*) as conversion_rate,
        sum(revenue) as revenue
    from sessions
    group by conversion_path
)

select * from final
