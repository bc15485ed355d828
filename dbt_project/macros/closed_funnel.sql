{#- Contract §4, "Funnel": the step each session reaches, one row per (session_id, step_number).
    `step_events` has (session_id, step_number, event_number): a session's events matching a step,
    numbered in the session's event order. Step 1 is reached at its first event, step k at the first
    step-k event after step k−1 was reached. SQL without recursive CTEs (Spark has none) chains one
    CTE per step, so the chain has a fixed bound: steps beyond `max_steps` are never reached (the
    funnel_steps seed tests its step numbers stay within it). -#}
{% macro closed_funnel_reached(step_events, max_steps=8) %}
    with

    reached_1 as (
        select
            session_id,
            min(event_number) as reached_at
        from {{ step_events }}
        where step_number = 1
        group by session_id
    ),
    {%- for step in range(2, max_steps + 1) %}

    reached_{{ step }} as (
        select
            events.session_id,
            min(events.event_number) as reached_at
        from {{ step_events }} as events
        inner join reached_{{ step - 1 }} as previous
            on events.session_id = previous.session_id and events.event_number > previous.reached_at
        where events.step_number = {{ step }}
        group by events.session_id
    ),
    {%- endfor %}

    reached as (
        {%- for step in range(1, max_steps + 1) %}
        select
            session_id,
            {{ step }} as step_number
        from reached_{{ step }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    )

    select * from reached
{% endmacro %}
