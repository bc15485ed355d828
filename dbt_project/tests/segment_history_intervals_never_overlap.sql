-- customer_segment_history: the intervals of a customer and segment type never overlap and
-- leave no gap: each row ends exactly where the next one starts, and only the last is open.
with

history as (
    select
        *,
        lead(valid_from) over (partition by customer_id, segment_type order by valid_from) as next_valid_from
    from {{ ref('customer_segment_history') }}
)

select * from history
where
    (next_valid_from is null and valid_to is not null)
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
