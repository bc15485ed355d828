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

{#- fct_attribution_credits, incremental: the start of the earliest touch that changed since its last
    run; every order purchased from then on may have a different set of touches. -#}
{% macro earliest_changed_touch(sessions, email_clicks, visitors) -%}
    select min(changed_at) from (
        select min(started_at) as changed_at from {{ sessions }}
        where _refreshed_at > {{ incremental_watermark('_refreshed_at') }}
        union all
        select min(occurred_at) as changed_at from {{ email_clicks }}
        where _refreshed_at > {{ incremental_watermark('_refreshed_at') }}
        union all
        -- a device stitched to another customer moves its email clicks too
        select min(clicks.occurred_at) as changed_at
        from {{ email_clicks }} as clicks
        inner join {{ visitors }} as restitched
            on clicks.anonymous_id = restitched.anonymous_id
        where restitched._changed_at > {{ incremental_watermark('_refreshed_at') }}
    ) as changes
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
