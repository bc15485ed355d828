{#- Product recommendations by co-purchase affinity (completed orders), never a product the
    customer already bought. -#}

with

lines as (
    select distinct
        orders.customer_id,
        lines.product_id
    from {{ ref('stg_shop__order_lines') }} as lines
    inner join {{ ref('fct_orders') }} as orders
        on lines.order_id = orders.order_id
    where orders.status = 'completed' and orders.customer_id is not null and lines.product_id is not null
),

-- numbered customers and products: the joins below hash and group integers, not text ids
keyed as (
    select
        customer_id,
        product_id,
        dense_rank() over (order by customer_id) as customer_key,
        dense_rank() over (order by product_id) as product_key
    from lines
),

co_purchases as (
    -- how many customers bought both products
    select
        a.product_key as owned_product_key,
        b.product_key as candidate_product_key,
        count(*) as co_buyers
    from keyed as a
    inner join keyed as b
        on a.customer_key = b.customer_key and a.product_key <> b.product_key
    group by 1, 2
),

scored as (
    select
        owned.customer_key,
        co_purchases.candidate_product_key as product_key,
        sum(co_purchases.co_buyers) as score
    from keyed as owned
    inner join co_purchases
        on owned.product_key = co_purchases.owned_product_key
    group by 1, 2
),

candidates as (
    -- never a product the customer already bought
    select scored.*
    from scored
    where not exists (
        select 1 from keyed as already
        where already.customer_key = scored.customer_key and already.product_key = scored.product_key
    )
),

ranked as (
    -- product keys sort as the product ids do, so ties go to the first product id
    select
        *,
        row_number() over (partition by customer_key order by score desc, product_key asc) as recommendation_rank
    from candidates
),

customer_keys as (
    select distinct
        customer_id,
        customer_key
    from keyed
),

product_keys as (
    select distinct
        product_id,
        product_key
    from keyed
),

final as (
    select
        customer_keys.customer_id,
        product_keys.product_id,
        cast(ranked.recommendation_rank as {{ dbt.type_bigint() }}) as rank,
        cast(ranked.score as double) as score
    from ranked
    inner join customer_keys
        on ranked.customer_key = customer_keys.customer_key
    inner join product_keys
        on ranked.product_key = product_keys.product_key
    where ranked.recommendation_rank <= {{ var('recommendations_per_customer') }}
)

select * from final
