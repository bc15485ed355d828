{#-
    A/B test results per experiment and variant (contract §4): exposed visitors (first exposure),
    conversions (a purchase within 7 days after it), conversion rate, lift against the control, a
    two-sided pooled two-proportion z-test, the 95% confidence interval of the difference, revenue
    per visitor, and a sample-ratio-mismatch flag for the allocation. Statistics are computed in
    int_experiment_tests (scipy).
-#}

with

tests as (
    select * from {{ ref('int_experiment_tests') }}
),

final as (
    select
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(variant as {{ dbt.type_string() }}) as variant,
        cast(is_control as boolean) as is_control,
        cast(visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,
        cast(conversion_rate as double) as conversion_rate,
        cast(absolute_lift as double) as absolute_lift,
        cast(relative_lift as double) as relative_lift,
        cast(z_score as double) as z_score,
        cast(p_value as double) as p_value,
        cast(ci_low as double) as ci_low,
        cast(ci_high as double) as ci_high,
        cast(is_significant as boolean) as is_significant,
        cast(revenue as double) as revenue,
        cast(revenue_per_visitor as double) as revenue_per_visitor,
        cast(srm_p_value as double) as srm_p_value,
        cast(has_sample_ratio_mismatch as boolean) as has_sample_ratio_mismatch
    from tests
)

select * from final
