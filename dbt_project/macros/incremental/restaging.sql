{#- stg_tracking__events, incremental: the raw deliveries a run over the window stages again. Every
    event delivered in the window's partitions, and every event staged earlier from them (a
    reloaded partition may no longer hold it), is recomputed from all of its deliveries, whatever
    day they arrived. Deliveries of one event share its occurred_at, so time bounds let the scan
    skip the history the window cannot touch. -#}
{% macro deliveries_to_restage(raw_events) %}
    with

    arrived as (
        select event_id, occurred_at
        from {{ raw_events }}
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
    )

    select raw_events.*
    from {{ raw_events }} as raw_events
    where
        raw_events.occurred_at between (select min(occurred_at) from touched)
        and (select max(occurred_at) from touched)
        and raw_events.event_id in (select event_id from touched)
{% endmacro %}

{#- The events staged from the window's partitions that no delivery supports any more (none in
    `first_deliveries`): written again with is_tombstone true, for the model's post-hook to delete,
    so that the table always equals a full refresh. -#}
{% macro tombstones(first_deliveries) %}
    select
        {%- for column in adapter.get_columns_in_relation(this) %}
        {{ 'true as is_tombstone' if column.name == 'is_tombstone' else column.quoted }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ this }}
    where
        {{ partition_window_filter('_partition_date') }}
        and event_id not in (select event_id from {{ first_deliveries }})
{% endmacro %}

{#- The columns of this incremental model's stored table, in their stored order. -#}
{% macro stored_columns() -%}
    {{ adapter.get_columns_in_relation(this) | map(attribute='quoted') | join(', ') }}
{%- endmacro %}
