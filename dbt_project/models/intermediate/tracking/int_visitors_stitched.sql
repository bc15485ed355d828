{#- Identity map (contract §4): each identified visitor's customer is the one of its most recent
    identified event. Incremental: only visitors with new identified events can change. -#}
{{
    config(
        partition_by=engine_partition_by('identified_date'),
        unique_key='anonymous_id',
        incremental_strategy='delete+insert',
        tags=['arrival_window'],
        meta={'tests_read_rows_written_at': '_sessionized_at'},
        on_schema_change='fail',
    )
}}

with

identified_events as (
    select
        anonymous_id,
        customer_id,
        occurred_at,
        occurred_date,
        event_id
    from {{ ref('int_events_sessionized') }}
    where customer_id is not null
    {% if is_incremental() %} and _sessionized_at > {{ incremental_watermark('_sessionized_at') }} {% endif %}
    union all
    -- a device seen with a customer on an email open or click is that customer's device too
    select
        anonymous_id,
        customer_id,
        occurred_at,
        occurred_date,
        event_id
    from {{ ref('int_email_events') }}
    where customer_id is not null
    {% if is_incremental() %} and _refreshed_at > {{ incremental_watermark('_sessionized_at') }} {% endif %}
),

candidates as (
    select * from identified_events
    {% if is_incremental() %}
        -- the customer stored for those visitors competes with their new events
        union all
        select
            anonymous_id,
            customer_id,
            identified_at as occurred_at,
            identified_date as occurred_date,
            identified_by_event_id as event_id
        from {{ this }}
        where anonymous_id in (select anonymous_id from identified_events)
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by anonymous_id
            order by occurred_at desc, event_id desc
        ) as recency_rank
    from candidates
),

latest as (
    select
        anonymous_id,
        customer_id,
        occurred_at as identified_at,
        occurred_date as identified_date,
        event_id as identified_by_event_id
    from ranked
    where recency_rank = 1
),

final as (
    select
        latest.anonymous_id,
        latest.customer_id,
        latest.identified_at,
        latest.identified_date,
        latest.identified_by_event_id,
        {% if is_incremental() %}
            case
                when previous.customer_id = latest.customer_id then previous._changed_at
                else {{ run_timestamp() }}
            end as _changed_at,
        {% else %}
            {{ run_timestamp() }} as _changed_at,
        {% endif %}
        {{ run_timestamp() }} as _sessionized_at
    from latest
    {% if is_incremental() %}
        left join {{ this }} as previous
            on latest.anonymous_id = previous.anonymous_id
    {% endif %}
)

select * from final
