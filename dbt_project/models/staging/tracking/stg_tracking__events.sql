{#- One row per event: the first delivery of each event_id (by arrival day, file and line), cleaned.
    Incremental by arrival day (macros/incremental/restaging.sql); tombstones mark events no
    delivery supports any more, for the post-hook to delete. -#}
{{
    config(
        partition_by=engine_partition_by('occurred_date'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        incremental_predicates=delete_from_earliest_new('occurred_at'),
        tags=['arrival_window'],
        meta={'tests_read_rows_arrived_in': '_partition_date'},
        on_schema_change='fail',
        post_hook="{{ delete_rows(this, 'is_tombstone') }}",
    )
}}

with

{% if is_incremental() %}
deliveries_to_restage as ({{ deliveries_to_restage(source('tracking', 'events')) }}),
{% endif %}

{#- A full refresh reads the raw table directly: a CTE read three times is materialised whole. -#}
{%- set deliveries = 'deliveries_to_restage' if is_incremental() else source('tracking', 'events') %}

repeated_events as (
    -- counting deliveries is far cheaper than sorting them: only repeated events are ranked
    select event_id
    from {{ deliveries }}
    group by event_id
    having count(*) > 1
),

single_deliveries as (
    select
        *,
        1 as delivery_number
    from {{ deliveries }}
    where event_id not in (select repeated_events.event_id from repeated_events)
),

ranked_repeats as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _partition_date, _source_file, _line_number
        ) as delivery_number
    from {{ deliveries }}
    where event_id in (select repeated_events.event_id from repeated_events)
),

first_deliveries as (
    select * from single_deliveries
    union all
    select * from ranked_repeats
    where delivery_number = 1
),

renamed as (
    select
        event_id,
        lower(event_type) as event_type,
        lower(event_type) in (
            'page_view', 'add_to_cart', 'begin_checkout', 'purchase', 'search', 'social_share',
            'ad_impression', 'ad_click', 'email_open', 'email_click', 'chatbot_message',
            'experiment_exposure', 'signup', 'login'
        ) as is_known_event_type,
        occurred_at,
        {{ business_date('occurred_at') }} as occurred_date,
        anonymous_id,
        customer_id,
        lower(platform) as platform,
        page_path,
        page_title,
        referrer,
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium,
        utm_campaign,
        lower(device_type) as device_type,
        region,
        product_id,
        order_id,
        experiment_id,
        variant,
        lower(share_network) as share_network,
        properties,
        {{ dbt.datediff(business_date('occurred_at'), '_partition_date', 'day') }}
            as arrival_lag_days,
        _partition_date,
        _source_file,
        _line_number,
        _loaded_at,
        false as is_tombstone
    from first_deliveries
),

{% if is_incremental() %}
tombstones as ({{ tombstones('first_deliveries') }}),
{% endif %}

final as (
    {% if is_incremental() %}
        -- in the stored table's column order, as the tombstones are (on Spark the partition
        -- column comes last)
        select {{ stored_columns() }} from renamed
        union all
        select * from tombstones
    {% else %}
        select * from renamed
    {% endif %}
)

select * from final
