{#- Incremental restatement of the KPI models: which days (and periods) a run must compute
    again, and the pre-hook deletes of the rows it will append again. -#}

{#- The start of the earliest day, week or month period containing a date. -#}
{% macro first_restated_period_start(date_expression) -%}
    cast(least({{ dbt.date_trunc('week', date_expression) }}, {{ dbt.date_trunc('month', date_expression) }}) as date)
{%- endmacro %}

{#- Pre-hook of the incremental KPI models: the earliest day whose customer segments may have
    changed since this model's last run, in a temporary table. -#}
{% macro remember_kpi_segment_restate_from(temp_name) %}
    {% if is_incremental() %}
        {%- set sql %}
        {{ segment_history_restate_from_sql() }}
        {%- endset %}
        {{ temporary_table_as(temp_name, sql) }}
    {% endif %}
{% endmacro %}

{#- Days whose KPI facts changed since this model's last run (its `_refreshed_at`): days of
    re-sessionized events (sessions that grew, split, merged or vanished, social shares), of
    sessions rewritten, of orders carried by re-sessionized purchases; every day an order with a
    new export was ever placed on (all its exports, so a moved order date restates both days),
    and every order of the customers such an order ever belonged to (their first-order flags and
    repeat status can move); every day a survey response with a new delivery was ever submitted
    on; campaign days loaded since (their date is their key). Read by the pre-hooks below.
    sessions_only: the first two alone, for a model that reads nothing but sessions (else a new
    order of a long-standing customer restates every day that customer ever ordered on).
    rewritten_sessions=false leaves out the days of sessions rewritten but not re-sessionized
    (restitched or reordered), for a model that handles restitching itself. -#}
{% macro kpi_touched_days_sql(sessions_only=false, rewritten_sessions=true) -%}
    {%- set watermark = incremental_watermark('_refreshed_at') -%}
    select occurred_date as metric_date from {{ ref('int_events_sessionized') }}
    where _sessionized_at > {{ watermark }}
    {%- if rewritten_sessions %}
    union
    select session_date from {{ ref('fct_sessions') }}
    where _refreshed_at > {{ watermark }}
    {%- endif %}
    {%- if not sessions_only %}
    {%- set order_arrivals = ref('stg_shop__order_arrivals') %}
    {%- set survey_arrivals = ref('stg_feedback__survey_response_arrivals') %}
    union
    select orders.ordered_date
    from {{ ref('int_orders_converted') }} as orders
    inner join {{ ref('int_events_sessionized') }} as events
        on orders.order_id = events.order_id
    where events.event_type = 'purchase' and events._sessionized_at > {{ watermark }}
    union
    select ordered_date from {{ order_arrivals }}
    where order_id in (select order_id from {{ order_arrivals }} where _loaded_at > {{ watermark }})
    union
    select ordered_date from {{ ref('int_orders_converted') }}
    where customer_id in (
        select customer_id from {{ order_arrivals }}
        where order_id in (select order_id from {{ order_arrivals }} where _loaded_at > {{ watermark }})
    )
    union
    select submitted_date from {{ survey_arrivals }}
    where response_id in (select response_id from {{ survey_arrivals }} where _loaded_at > {{ watermark }})
    union
    select activity_date from {{ ref('stg_marketing__campaign_days') }}
    where _loaded_at > {{ watermark }}
    {%- endif %}
{%- endmacro %}

{#- Pre-hooks of the incremental KPI models: fix the days to restate in a temporary table while
    the watermark still stands (deleting rows moves it), then delete the rows the run will append
    again: the segment types that describe customers everywhere (unless the model has none), the
    rest on the touched days (or in the periods that contain them, for per-period models). The
    model reads the same temporary table. -#}
{% macro remember_kpi_touched_days(temp_name, sessions_only=false, rewritten_sessions=true) %}
    {% if is_incremental() %}
        {%- set sql %}
        {{ kpi_touched_days_sql(sessions_only, rewritten_sessions) }}
        {%- endset %}
        {{ temporary_table_as(temp_name, sql) }}
    {% endif %}
{% endmacro %}

{#- The (grain, period_start) pairs of day, week and month containing a touched day. -#}
{% macro kpi_touched_periods_sql(temp_name) -%}
    {%- for grain in ['day', 'week', 'month'] %}
    select distinct
        '{{ grain }}' as period_grain,
        cast({{ dbt.date_trunc(grain, 'metric_date') }} as date) as period_start
    from {{ temp_name }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- keep_customers_rows: in the customer segment types, delete only the rows of no customer (a
    model that restates customers' rows itself: delete_customer_rows_to_restate). -#}
{% macro delete_kpi_rows_to_restate(temp_name, per_period=false, customer_segment_types=true, segment_restate_temp=none,
                                    keep_customers_rows=false) %}
    {% if is_incremental() %}
        {%- set condition %}
            {%- if keep_customers_rows %}
            not (
                segment_type in ('{{ customer_segments('') | map('first') | join("', '") }}')
                and customer_id is not null
            ) and (
            {%- endif %}
            {%- if customer_segment_types %}
            (
                segment_type in ('{{ restated_segment_types() | join("', '") }}')
                and not (segment_type = 'region' and kpi in ('{{ session_kpis() | join("', '") }}'))
            ) or
            {%- endif %}
            {%- if segment_restate_temp %}
            (
                segment_type in ('{{ customer_segments('') | map('first') | join("', '") }}')
                and {{ 'period_start' if per_period else 'metric_date' }} >= (
                    {%- if per_period %}
                    -- the periods of every grain that contain the first restated day, and later
                    select {{ first_restated_period_start('restate_from') }} from {{ segment_restate_temp }}
                    {%- else %}
                    select restate_from from {{ segment_restate_temp }}
                    {%- endif %}
                )
            ) or
            {%- endif %}
            {%- if per_period %}
            exists (
                select 1 from ({{ kpi_touched_periods_sql(temp_name) }}) as touched
                where touched.period_grain = {{ this }}.period_grain
                    and touched.period_start = {{ this }}.period_start
            )
            {%- if not customer_segment_types %}
            -- a scalar bound as well (the earliest touched day's week or month starts first),
            -- which lets the delete skip older row groups of a table written in period order
            and period_start >= (
                select cast(least(
                    {{ dbt.date_trunc('week', 'min(metric_date)') }}, {{ dbt.date_trunc('month', 'min(metric_date)') }}
                ) as date)
                from {{ temp_name }}
            )
            {%- endif %}
            {%- else %}
            metric_date in (select metric_date from {{ temp_name }})
            {%- endif %}
            {%- if keep_customers_rows %}
            )
            {%- endif %}
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- Pre-hook of fct_social_shares_daily: delete the days its run restates. -#}
{% macro delete_touched_share_days(temp_name) %}
    {% if is_incremental() %}
        {%- set condition %}
            share_date in (select metric_date from {{ temp_name }})
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- A date in one of the touched periods of `grain` (touched_periods: a CTE of the model), with a
    scalar bound as well, which lets the scan skip older row groups. -#}
{% macro in_touched_periods(grain, date_expression) -%}
    cast({{ dbt.date_trunc(grain, date_expression) }} as date) in (
        select touched_periods.period_start from touched_periods
        where touched_periods.period_grain = '{{ grain }}'
    )
    and {{ date_expression }} >= (
        select min(touched_periods.period_start) from touched_periods
        where touched_periods.period_grain = '{{ grain }}'
    )
{%- endmacro %}

{#- A date in a period of `grain` at or after the one holding `restate_from_expression`. -#}
{% macro in_restated_periods(grain, date_expression, restate_from_expression) -%}
    cast({{ dbt.date_trunc(grain, date_expression) }} as date)
    >= cast({{ dbt.date_trunc(grain, restate_from_expression) }} as date)
{%- endmacro %}
