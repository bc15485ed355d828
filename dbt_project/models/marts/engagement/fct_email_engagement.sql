{#- Email engagement per day and campaign (contract §4); a run restates whole days with new email events. -#}
{{
    config(
        partition_by=engine_partition_by('date'),
        unique_key='date',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
    )
}}

with

email_events as (
    select * from {{ ref('int_email_events') }}
    {% if is_incremental() %}
        where occurred_date in (
            select new_events.occurred_date from {{ ref('int_email_events') }} as new_events
            where new_events._refreshed_at > {{ incremental_watermark('_refreshed_at') }}
        )
    {% endif %}
),

counted as (
    select
        occurred_date,
        coalesce(utm_campaign, '(none)') as campaign,
        cast(sum(case when event_type = 'email_open' then 1 else 0 end) as {{ dbt.type_bigint() }}) as opens,
        cast(count(distinct case when event_type = 'email_open' then recipient_id end) as {{ dbt.type_bigint() }})
            as unique_openers,
        cast(sum(case when event_type = 'email_click' then 1 else 0 end) as {{ dbt.type_bigint() }}) as clicks,
        cast(count(distinct case when event_type = 'email_click' then recipient_id end) as {{ dbt.type_bigint() }})
            as unique_clickers
    from email_events
    group by 1, 2
),

final as (
    select
        occurred_date as {{ adapter.quote('date') }},
        campaign,
        opens,
        unique_openers,
        clicks,
        unique_clickers,
        cast(unique_clickers as double) / nullif(unique_openers, 0) as click_to_open_rate,
        {{ run_timestamp() }} as _refreshed_at
    from counted
)

select * from final
