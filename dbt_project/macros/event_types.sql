{#-
    Event classes of contract §2, in one place for every model that needs them.

    Off-site events (email_open, email_click) are recorded by the email platform, not the site:
    they are never part of a session (they neither start, extend nor belong to one) and feed
    email engagement (int_email_events). Every other type is a site event. Of the site events,
    the non-interaction ones (ad_impression, experiment_exposure) belong to the session they fall
    in, but never make it engaged nor stop it from being a bounce.
-#}

{% macro off_site_event_types() -%}
    ('email_open', 'email_click')
{%- endmacro %}

{% macro non_interaction_event_types() -%}
    ('ad_impression', 'experiment_exposure')
{%- endmacro %}

{#- A condition true for site events (unknown types are site events: kept and flagged upstream). -#}
{% macro is_site_event(event_type) -%}
    {{ event_type }} not in {{ off_site_event_types() }}
{%- endmacro %}

{#- A condition true for the interaction events of a session (every site event but the
    non-interaction ones). -#}
{% macro is_interaction_event(event_type) -%}
    {{ event_type }} not in {{ non_interaction_event_types() }}
{%- endmacro %}
