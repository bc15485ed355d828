{#-
    Email engagement per day and campaign (contract §4, "Marts added in version 2"): opens and
    clicks (off-site events, int_email_events), the distinct recipients who opened and who
    clicked, and click-to-open rate = unique clickers / unique openers. The campaign is the
    events' utm_campaign ('(none)' without one). A recipient is the customer the event carries,
    else its device (anonymous_id): one person opening a mail three times is three opens and one
    unique opener. Unique counts are per day and campaign; they do not add up over days (the KPI
    email_click_to_open_rate counts them per week and month).

    Incremental by day: a run restates every day that has an off-site event staged since its last
    run, from all of that day's events (unique_key `date` replaces the day's rows whole).
-#}
{{
    config(
        unique_key='date',
        incremental_strategy='delete+insert',
        meta={'tests_read_rows_written_at': '_refreshed_at'},
        on_schema_change='fail',
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
