{#-
    Restitching in int_kpi_visitor_segments without restating whole periods.

    A visitor who logs in for the first time (or whose shared device passes to another customer)
    moves from one customer's rows to another's (from the never-identified row when it had no
    customer) in every period and session segment of its history. fct_sessions rewrites all of
    that visitor's sessions, so restating the days of rewritten sessions would restate nearly
    every period at each refresh. Instead, outside the periods restated for re-sessionized
    events, where the visitor's sessions are the ones counted last time, the visitor is moved:
    minus one visitor in the row of the customer it was counted under, plus one in the row of
    its customer now.

    The customer each visitor was counted under is kept beside the model, in
    `<model>__identities` (anonymous_id, customer_id of every identified visitor), which a
    post-hook rewrites from fct_sessions in the same transaction as the model's rows. Without
    that table (the first incremental run after a full refresh by an older version, or after
    someone dropped it) the model falls back to restating the periods of every rewritten
    session.
-#}

{#- The model's period grains and the segment types it counts: (grain, segment_type, SQL
    expression), for the session segment types a session carries itself, or for `segments`. -#}
{% macro visitor_segment_branches(segments=none) %}
    {%- set customer_types = customer_segments('anonymous') | map('first') | list %}
    {%- set segments = session_segments() | rejectattr(0, 'in', customer_types) | list if segments is none else segments %}
    {%- set branches = [] %}
    {%- for grain in ['day', 'week', 'month'] %}
        {%- for segment_type, expression in segments %}
            {%- do branches.append((grain, segment_type, expression)) %}
        {%- endfor %}
    {%- endfor %}
    {{ return(branches) }}
{% endmacro %}

{#- The relation that records whom each visitor was counted as, or none if it is missing. -#}
{% macro counted_identities_relation() %}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema,
                                   identifier=this.identifier ~ '__identities')) }}
{% endmacro %}

{#- Pre-hook: write to `adjusted_temp` the rows the moves change, with their new visitor counts
    (zero or less means the row goes), then delete those rows; the model appends the ones still
    counting someone. Reads the watermark, so it must run before any delete of this model. -#}
{% macro move_restitched_visitors(touched_temp, adjusted_temp) %}
    {% if is_incremental() %}
        {%- set identities = counted_identities_relation() %}
        {%- set watermark = incremental_watermark('_refreshed_at') %}
        {%- set sql %}
        {%- if identities is none %}
        select period_grain, period_start, segment_type, segment_value, customer_id, visitors
        from {{ this }}
        where false
        {%- else %}
        with

        rewritten as (
            -- visitors with sessions rewritten since the last run, and their customer now
            select
                anonymous_id,
                max(customer_id) as customer_id
            from {{ ref('fct_sessions') }}
            where _refreshed_at > {{ watermark }}
            group by anonymous_id
        ),

        moved as (
            select
                rewritten.anonymous_id,
                counted.customer_id as old_customer_id,
                rewritten.customer_id as new_customer_id
            from rewritten
            left join {{ identities }} as counted
                on rewritten.anonymous_id = counted.anonymous_id
            where counted.customer_id is distinct from rewritten.customer_id
        ),

        moved_sessions as (
            select
                fact.*,
                moved.old_customer_id,
                moved.new_customer_id
            from {{ ref('fct_sessions') }} as fact
            inner join moved
                on fact.anonymous_id = moved.anonymous_id
            where not fact.is_bot  -- counted in no KPI (int_kpi_visitor_segments)
        ),

        touched_periods as (
            {{ kpi_touched_periods_sql(touched_temp) }}
        ),

        cells as (
            -- each moved visitor once per row it is counted in, outside the restated periods
            {%- for grain, segment_type, expression in visitor_segment_branches() %}
            select distinct
                '{{ grain }}' as period_grain,
                cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) as period_start,
                '{{ segment_type }}' as segment_type,
                cast({{ expression }} as {{ dbt.type_string() }}) as segment_value,
                fact.anonymous_id,
                fact.old_customer_id,
                fact.new_customer_id
            from moved_sessions as fact
            where cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) not in (
                select touched_periods.period_start from touched_periods
                where touched_periods.period_grain = '{{ grain }}'
            )
            {% if not loop.last %}union all{% endif %}
            {%- endfor %}
        ),

        anonymous_cells as (
            -- in the customer segment types, the never-identified rows (a customer's rows are
            -- restated: remember_customers_to_restate)
            {%- for grain in ['day', 'week', 'month'] %}
            {%- set grain_loop = loop %}
            {%- for segment_type in customer_segment_types() %}
            select distinct
                '{{ grain }}' as period_grain,
                cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) as period_start,
                '{{ segment_type }}' as segment_type,
                'anonymous' as segment_value,
                fact.anonymous_id,
                fact.old_customer_id,
                fact.new_customer_id
            from moved_sessions as fact
            where
                (fact.old_customer_id is null or fact.new_customer_id is null)
                and cast({{ dbt.date_trunc(grain, 'fact.session_date') }} as date) not in (
                    select touched_periods.period_start from touched_periods
                    where touched_periods.period_grain = '{{ grain }}'
                )
            {% if not (loop.last and grain_loop.last) %}union all{% endif %}
            {%- endfor %}
            {%- endfor %}
        ),

        changes as (
            select
                period_grain, period_start, segment_type, segment_value,
                old_customer_id as customer_id,
                -1 as change
            from cells
            union all
            select
                period_grain, period_start, segment_type, segment_value,
                new_customer_id as customer_id,
                1 as change
            from cells
            union all
            select
                period_grain, period_start, segment_type, segment_value,
                cast(null as {{ dbt.type_string() }}) as customer_id,
                case when old_customer_id is null then -1 else 1 end as change
            from anonymous_cells
        ),

        net_changes as (
            select
                period_grain, period_start, segment_type, segment_value, customer_id,
                sum(change) as change
            from changes
            group by 1, 2, 3, 4, 5
        )

        select
            net_changes.period_grain,
            net_changes.period_start,
            net_changes.segment_type,
            net_changes.segment_value,
            net_changes.customer_id,
            cast(coalesce(counted_rows.visitors, 0) + net_changes.change as {{ dbt.type_bigint() }}) as visitors
        from net_changes
        left join {{ this }} as counted_rows
            on
                net_changes.period_grain = counted_rows.period_grain
                and net_changes.period_start = counted_rows.period_start
                and net_changes.segment_type = counted_rows.segment_type
                and net_changes.segment_value is not distinct from counted_rows.segment_value
                and net_changes.customer_id is not distinct from counted_rows.customer_id
        where net_changes.change <> 0
        {%- endif %}
        {%- endset %}
        {{ temporary_table_as(adjusted_temp, sql) }}
    {% endif %}
{% endmacro %}

{#- Pre-hook: the customers whose rows of the customer segment types this run restates, each
    from the first day that can differ (`restate_from`), in a temporary table: those with a
    session on a day this run restates (`touched_temp`), those whose segment history changed since the last run (from the first day of their new intervals, not
    before the earliest day any segment can have changed: `restate_temp`), and those who gained
    or lost a visitor's sessions (the customer of each rewritten session now, and the one it
    was counted under, from the visitor's first rewritten session). -#}
{% macro remember_customers_to_restate(customers_temp, touched_temp, restate_temp) %}
    {% if is_incremental() %}
        {%- set identities = counted_identities_relation() %}
        {%- set watermark = incremental_watermark('_refreshed_at') %}
        {%- set sql %}
        with

        rewritten as (
            select
                anonymous_id,
                max(customer_id) as customer_id,
                min(session_date) as first_date
            from {{ ref('fct_sessions') }}
            where _refreshed_at > {{ watermark }}
            group by anonymous_id
        ),

        changed as (
            select
                customer_id,
                min(session_date) as restate_from
            from {{ ref('fct_sessions') }}
            where
                customer_id is not null
                and session_date in (select metric_date from {{ touched_temp }})
                and session_date >= (select min(metric_date) from {{ touched_temp }})
            group by customer_id
            union all
            select
                customer_id,
                greatest(min(valid_from), (select restate_from from {{ restate_temp }})) as restate_from
            from {{ ref('customer_segment_history') }}
            where _refreshed_at > {{ watermark }}
            group by customer_id
            union all
            select customer_id, first_date from rewritten
            where customer_id is not null
            {%- if identities is not none %}
            union all
            select counted.customer_id, rewritten.first_date
            from rewritten
            inner join {{ identities }} as counted
                on rewritten.anonymous_id = counted.anonymous_id
            {%- endif %}
        )

        select
            customer_id,
            min(restate_from) as restate_from
        from changed
        group by customer_id
        {%- endset %}
        {{ temporary_table_as(customers_temp, sql) }}
    {% endif %}
{% endmacro %}

{#- Pre-hook: delete the rows of the customer segment types of the customers to restate, in the
    periods of each grain from the one holding their first day to restate. -#}
{% macro delete_customer_rows_to_restate(customers_temp) %}
    {% if is_incremental() %}
        {%- set condition %}
            segment_type in ('{{ customer_segment_types() | join("', '") }}')
            and exists (
                select 1 from {{ customers_temp }} as restated
                where
                    restated.customer_id = {{ this }}.customer_id
                    and {{ this }}.period_start >= case {{ this }}.period_grain
                        when 'day' then restated.restate_from
                        when 'week' then cast({{ dbt.date_trunc('week', 'restated.restate_from') }} as date)
                        else cast({{ dbt.date_trunc('month', 'restated.restate_from') }} as date)
                    end
            )
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- Pre-hook, after every statement that reads the watermark: delete the rows that
    move_restitched_visitors adjusted. -#}
{% macro delete_adjusted_visitor_rows(adjusted_temp) %}
    {% if is_incremental() %}
        {%- set condition %}
            exists (
            select 1 from {{ adjusted_temp }} as adjusted
            where
                adjusted.period_grain = {{ this }}.period_grain
                and adjusted.period_start = {{ this }}.period_start
                and adjusted.segment_type = {{ this }}.segment_type
                and adjusted.segment_value is not distinct from {{ this }}.segment_value
                and adjusted.customer_id is not distinct from {{ this }}.customer_id
        )
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- Post-hook: record whom each identified visitor is counted as, from the sessions just read. -#}
{% macro record_counted_identities() %}
    {%- set identities = this.incorporate(path={'identifier': this.identifier ~ '__identities'}) -%}
    {%- set query -%}
    select
        anonymous_id,
        max(customer_id) as customer_id
    from {{ ref('fct_sessions') }}
    where customer_id is not null
    group by anonymous_id
    {%- endset -%}
    {{ replace_table_as(identities, query) }}
{% endmacro %}

{#- The rows restitched visitors were moved out of or into (by move_restitched_visitors), where
    someone is still counted: appended by the model with its other rows. -#}
{% macro moved_visitor_rows(adjusted_temp) -%}
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from {{ adjusted_temp }}
    where visitors > 0
{%- endmacro %}
