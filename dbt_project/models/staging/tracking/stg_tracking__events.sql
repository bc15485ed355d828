{#-
    One row per event: duplicate deliveries of an event_id removed (the first delivery, by arrival
    day, file and line, wins), names and types cleaned, business date added.

    Incremental by arrival day. A run over the window [min_date, max_date] recomputes every event
    delivered in those partitions, and every event staged earlier from them (a reloaded partition
    may no longer hold it), from all of its deliveries whatever day they arrived. Events that no
    delivery supports any more are written as tombstones and removed by the post-hook, so that the
    table always equals a full refresh.

    Deliveries of one event share its occurred_at (the bound `deliveries` reads with), so every
    stored row a run replaces is no older than the oldest row it writes, tombstones included:
    the delete skips the older row groups instead of probing the event ids of all history.
-#}
{{
    config(
        unique_key='event_id',
        incremental_strategy='delete+insert',
        incremental_predicates=[
            'DBT_INTERNAL_DEST.occurred_at >= (select min(occurred_at) from DBT_INTERNAL_SOURCE)'
        ],
        tags=['arrival_window'],
        meta={'tests_read_rows_arrived_in': '_partition_date'},
        on_schema_change='fail',
        post_hook="delete from {{ this }} where is_tombstone",
    )
}}

with

{% if is_incremental() %}

arrived as (
    select event_id, occurred_at
    from {{ source('tracking', 'events') }}
    where {{ partition_window_filter('_partition_date') }}
),

previously_staged as (
    select event_id, occurred_at
    from {{ this }}
    where {{ partition_window_filter('_partition_date') }}
),

touched as (
    select event_id, occurred_at from arrived
    union
    select event_id, occurred_at from previously_staged
),

deliveries as (
    -- Deliveries of one event share its occurred_at, so the time bounds let the scan skip the
    -- history this window cannot touch.
    select source_events.*
    from {{ source('tracking', 'events') }} as source_events
    where
        source_events.occurred_at between (select min(occurred_at) from touched)
        and (select max(occurred_at) from touched)
        and source_events.event_id in (select event_id from touched)
),

{% endif %}

{#- A full refresh reads the raw table directly in each step below: a CTE read three times would
    be materialised whole. -#}
{%- set deliveries = 'deliveries' if is_incremental() else source('tracking', 'events') %}

repeated_events as (
    -- Most events arrive once. Counting deliveries per event is far cheaper than sorting every
    -- delivery, so only the events delivered more than once are ranked.
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

    tombstones as (
        select
            {%- for column in adapter.get_columns_in_relation(this) %}
            {{ 'true as is_tombstone' if column.name == 'is_tombstone' else column.quoted }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ this }}
        where
            {{ partition_window_filter('_partition_date') }}
            and event_id not in (select event_id from first_deliveries)
    ),

    final as (
        select * from renamed
        union all
        select * from tombstones
    )

{% else %}

    final as (
        select * from renamed
    )

{% endif %}

select * from final
