{#- Pre-hook of fct_sessions: a late event can merge two sessions into one, and the session that
    disappears would otherwise stay behind (delete+insert only replaces ids it inserts again).
    Deletes the sessions of re-sessionized visitors that no event points at any more.

    The sessionizer rewrites a visitor's timeline from a session's start, or from a new event
    after every session it keeps, so a session can only have vanished if it started at or after
    the visitor's earliest rewritten event, and
    every session still there from that time on is among the rewritten events: neither side needs
    the rest of the history. -#}
{% macro delete_vanished_sessions() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where session_id in (
            select existing.session_id
            from {{ this }} as existing
            inner join (
                select
                    anonymous_id,
                    min(occurred_at) as rewritten_from
                from {{ ref('int_events_sessionized') }}
                where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
                group by anonymous_id
            ) as rewritten
                on
                    existing.anonymous_id = rewritten.anonymous_id
                    and existing.started_at >= rewritten.rewritten_from
            where existing.session_id not in (
                select session_id from {{ ref('int_events_sessionized') }}
                where _sessionized_at > {{ incremental_watermark('_refreshed_at') }}
            )
        )
    {% endif %}
{% endmacro %}
