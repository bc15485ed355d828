{#- Event classes of contract §2, in one place. Off-site events (the email platform's) are in no
    session; the non-interaction site events are in their session but never engage it. -#}

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
