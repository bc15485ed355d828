{#- Contract §4 "Attribution": the six models and each touch's credit under `model_column`. The
    relation read carries touch_number, touches (of the order), credited_touch_number (the
    last_non_direct touch) and decay_weight / decay_weight_total (time_decay). -#}
{% macro attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

{% macro attribution_credit(model_column) -%}
    case {{ model_column }}
        when 'first_touch' then case when touch_number = 1 then 1.0 else 0.0 end
        when 'last_touch' then case when touch_number = touches then 1.0 else 0.0 end
        when 'last_non_direct' then case when touch_number = credited_touch_number then 1.0 else 0.0 end
        when 'linear' then 1.0 / touches
        -- 40% first, 40% last, 20% shared by the middle; one touch 100%, two touches 50/50
        when 'position_based' then case
            when touches = 1 then 1.0
            when touches = 2 then 0.5
            when touch_number = 1 or touch_number = touches then 0.4
            else 0.2 / (touches - 2)
        end
        when 'time_decay' then decay_weight / decay_weight_total
    end
{%- endmacro %}

{#- The six model names as rows (column `model`), to cross with the touches. -#}
{% macro attribution_model_rows() -%}
    {%- for name in attribution_models() %}
    select '{{ name }}' as model{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- fct_attribution_credits, incremental: the touches (session or email click, by device) that
    changed since its last run: sessions written again (new, re-sessionized, or restitched to another
    customer) and the email clicks of new loads or of devices stitched anew. A vanished session needs
    no row of its own: the sessionizer rewrites a device from that session's start on. -#}
{% macro changed_attribution_touches(sessions, email_clicks, visitors) -%}
    select
        anonymous_id,
        session_id as touch_id,
        started_at as touched_at
    from {{ sessions }}
    where _refreshed_at > {{ incremental_watermark('_refreshed_at') }}
    union all
    select
        anonymous_id,
        event_id as touch_id,
        occurred_at as touched_at
    from {{ email_clicks }}
    where _refreshed_at > {{ incremental_watermark('_refreshed_at') }}
    union all
    select
        clicks.anonymous_id,
        clicks.event_id as touch_id,
        clicks.occurred_at as touched_at
    from {{ email_clicks }} as clicks
    inner join {{ visitors }} as restitched
        on clicks.anonymous_id = restitched.anonymous_id
    where restitched._changed_at > {{ incremental_watermark('_refreshed_at') }}
{%- endmacro %}

{#- The orders of `conversions` a run re-credits, given `changed_touches` (above): those changed
    themselves, those that credited a changed touch (its device may have left their customer), and
    those purchased after a changed touch of one of their devices (the customer's, or the converting
    device of an anonymous order). An order's touches all precede its purchase, so no other order's
    credits can change. -#}
{% macro orders_with_changed_touches(conversions, changed_touches, visitors) -%}
    select order_id from {{ conversions }}
    where _changed_at > {{ incremental_watermark('_refreshed_at') }}
    union
    select order_id from {{ this }}
    where touch_id in (select touch_id from {{ changed_touches }})
    union
    select conversions.order_id
    from {{ conversions }} as conversions
    inner join {{ visitors }} as visitors
        on conversions.customer_id = visitors.customer_id
    inner join {{ changed_touches }} as changed
        on visitors.anonymous_id = changed.anonymous_id
    where conversions.purchased_at >= changed.touched_at
    union
    select conversions.order_id
    from {{ conversions }} as conversions
    inner join {{ changed_touches }} as changed
        on conversions.anonymous_id = changed.anonymous_id
    where conversions.purchased_at >= changed.touched_at
{%- endmacro %}

{#- fct_attribution_credits post-hook: orders exported again that are no longer completed conversions
    (cancelled, or carried by no purchase event any more) lose their credits. -#}
{% macro drop_uncredited_orders(converted_orders, conversions) %}
    {% if is_incremental() %}
        {%- set condition %}
            order_id in (
                select order_id from {{ converted_orders }}
                where _loaded_at > {{ previous_run_watermark() }}
            )
            and order_id not in (select order_id from {{ conversions }})
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}
