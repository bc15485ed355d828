{#- Visitors, conversions and revenue per experiment and variant, the inputs of the tests. -#}

with

exposures as (
    select * from {{ ref('int_experiment_exposures') }}
),

final as (
    select
        experiment_id,
        variant,
        variant = '{{ var("experiment_control_variant") }}' as is_control,
        count(*) as visitors,
        sum(case when has_converted then 1 else 0 end) as conversions,
        sum(revenue) as revenue
    from exposures
    group by 1, 2
)

select * from final
