{#- On-site social shares per day and network, with the sessions and visitors that shared. The
    pre-hooks delete the days this run restates, so a day whose shares all vanished goes too. -#}
{{
    config(
        partition_by=engine_partition_by('share_date'),
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ remember_kpi_touched_days('social_share_touched_days', sessions_only=true, rewritten_sessions=false) }}",
            "{{ delete_touched_share_days('social_share_touched_days') }}",
        ],
    )
}}

with

shares as (
    select * from {{ ref('int_events_sessionized') }}
    where
        event_type = 'social_share'
        -- bot sessions are in no KPI (contract §4, "Bots")
        and session_id not in (
            select bots.session_id from {{ ref('fct_sessions') }} as bots
            where bots.is_bot
        )
    {% if is_incremental() %}
        and occurred_date in (select metric_date from social_share_touched_days)
        -- a scalar bound as well, which lets the scan skip older row groups
        and occurred_date >= (select min(metric_date) from social_share_touched_days)
    {% endif %}
),

final as (
    select
        occurred_date as share_date,
        coalesce(share_network, 'unknown') as share_network,
        cast(count(*) as {{ dbt.type_bigint() }}) as social_shares,
        cast(count(distinct session_id) as {{ dbt.type_bigint() }}) as sharing_sessions,
        cast(count(distinct anonymous_id) as {{ dbt.type_bigint() }}) as sharing_visitors,
        {{ run_timestamp() }} as _refreshed_at
    from shares
    group by 1, 2
)

select * from final
