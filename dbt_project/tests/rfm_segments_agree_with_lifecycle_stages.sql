-- Cross-rule promise (issue 20): RFM segment and lifecycle stage never contradict each other.
-- A 'new' or 'active' customer (an order within lifecycle_active_days) is never in a lapsed RFM
-- segment, an 'at risk' or 'churned' one always is, a 'churned' one is never 'Champions', and a
-- prospect (no completed order) is exactly a customer with 'No purchases'. Checked on the
-- customers as they are now and on every interval of their history.
with

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

history as (
    select * from {{ ref('customer_segment_history') }}
),

current_segments as (
    select customer_id, rfm_segment, lifecycle_stage, 'dim_customers' as checked_in
    from {{ ref('dim_customers') }}
    union all
    -- every pair of an RFM and a lifecycle interval of a customer that overlap
    select
        rfm.customer_id,
        rfm.segment_value as rfm_segment,
        lifecycle.segment_value as lifecycle_stage,
        'customer_segment_history from ' || cast(greatest(rfm.valid_from, lifecycle.valid_from) as {{ dbt.type_string() }})
            as checked_in
    from history as rfm
    inner join history as lifecycle
        on
            rfm.customer_id = lifecycle.customer_id
            and rfm.segment_type = 'rfm_segment'
            and lifecycle.segment_type = 'lifecycle_stage'
            and rfm.valid_from < coalesce(lifecycle.valid_to, cast('2999-12-31' as date))
            and lifecycle.valid_from < coalesce(rfm.valid_to, cast('2999-12-31' as date))
),

contradictions as (
    select
        current_segments.*,
        rfm_segments.is_lapsed
    from current_segments
    left join rfm_segments
        on current_segments.rfm_segment = rfm_segments.rfm_segment
    where
        (lifecycle_stage in ('new', 'active') and coalesce(rfm_segments.is_lapsed, true))
        or (lifecycle_stage in ('at risk', 'churned') and not coalesce(rfm_segments.is_lapsed, false))
        or (lifecycle_stage = 'churned' and current_segments.rfm_segment = 'Champions')
        or ((lifecycle_stage = 'prospect') <> (current_segments.rfm_segment = 'No purchases'))
)

select * from contradictions
