{#- email_click_to_open_rate per period grain, period and segment: distinct clickers / distinct
    openers, counted per period (a reader opening mails on three days is one opener of the week).
    A table: off-site events are few, and recounting them whole is simpler than by period. -#}
{{ config(materialized='table') }}

{%- set grains = ['day', 'week', 'month'] %}

with

email_events as (
    select
        occurred_date,
        coalesce(utm_campaign, '(none)') as campaign,
        event_type,
        recipient_id
    from {{ ref('int_email_events') }}
),

periods as (
    {%- for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'occurred_date') }} as date) as period_start,
            campaign,
            event_type,
            recipient_id
        from email_events
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

segmented as (
    select
        period_grain,
        period_start,
        'all' as segment_type,
        'all' as segment_value,
        event_type,
        recipient_id
    from periods
    union all
    select
        period_grain,
        period_start,
        'campaign' as segment_type,
        campaign as segment_value,
        event_type,
        recipient_id
    from periods
),

final as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'email_click_to_open_rate' as kpi,
        cast(count(distinct case when event_type = 'email_click' then recipient_id end) as double) as numerator,
        cast(count(distinct case when event_type = 'email_open' then recipient_id end) as double) as denominator,
        {{ run_timestamp() }} as _refreshed_at
    from segmented
    group by 1, 2, 3, 4
)

select * from final
