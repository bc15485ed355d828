{#- Bots (contract §4): a session is automated when it has at least `bot_min_page_views` page
    views and they are on average less than `bot_max_seconds_per_page_view` apart (from its first
    to its last page view). A one-page session is never a bot: it has no speed to judge. -#}
{% macro is_bot_session(page_views, first_page_view_at, last_page_view_at) -%}
    coalesce(
        {{ page_views }} >= {{ var('bot_min_page_views') }}
        and {{ seconds_between(first_page_view_at, last_page_view_at) }}
        < {{ var('bot_max_seconds_per_page_view') }} * ({{ page_views }} - 1),
        false
    )
{%- endmacro %}
