{#- Pre-hook of fct_sessions: a late event can merge two sessions into one, and the session that
    disappears would otherwise stay behind (delete+insert only replaces ids it inserts again).
    Deletes the sessions of re-sessionized visitors that no event points at any more. -#}
{% macro delete_vanished_sessions() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where
            anonymous_id in (
                select anonymous_id from {{ ref('int_events_sessionized') }}
                where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
            )
            and session_id not in (
                select session_id from {{ ref('int_events_sessionized') }}
                where anonymous_id in (
                    select anonymous_id from {{ ref('int_events_sessionized') }}
                    where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
                )
            )
    {% endif %}
{% endmacro %}
