{#- int_experiment_exposures: the visitors a run restates, all their experiments at once: those
    whose first exposures or purchase events were written since the model's last run, and those
    with a purchase of an order exported again since (its status or revenue may have changed). -#}
{% macro experiment_visitors_to_restate(first_exposures, purchase_events, order_arrivals) %}
    {%- set watermark = incremental_watermark('_refreshed_at') %}
    select anonymous_id from {{ first_exposures }}
    where _refreshed_at > {{ watermark }}
    union
    select anonymous_id from {{ purchase_events }}
    where _refreshed_at > {{ watermark }}
    union
    select anonymous_id from {{ purchase_events }}
    where order_id in (select order_id from {{ order_arrivals }} where _loaded_at > {{ watermark }})
{% endmacro %}
