{#- Pre-hook of fct_sessions: a late event can merge two sessions, and delete+insert only replaces
    the ids it inserts again. Deletes the sessions of re-sessionized visitors that no event of
    `sessionized_events` (int_events_sessionized) points at any more. The sessionizer rewrites a
    visitor from a session's start, so only sessions started at or after the visitor's earliest
    rewritten event can have vanished, and every live one of those was rewritten too. -#}
{% macro delete_vanished_sessions(sessionized_events) %}
    {% if is_incremental() %}
        {%- set condition %}
            session_id in (
            select existing.session_id
            from {{ this }} as existing
            inner join (
                select
                    anonymous_id,
                    min(occurred_at) as rewritten_from
                from {{ sessionized_events }}
                where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
                group by anonymous_id
            ) as rewritten
                on
                    existing.anonymous_id = rewritten.anonymous_id
                    and existing.started_at >= rewritten.rewritten_from
            where existing.session_id not in (
                select session_id from {{ sessionized_events }}
                where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
            )
        )
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}
