{#-
    Product recommendations by co-purchase affinity: for each customer, the products most often
    bought by customers who bought the same products (completed orders), never a product the
    customer already bought. score = number of (owned product, co-buyer) pairs pointing at the
    candidate, so a candidate bought together with several of the customer's products ranks higher.
-#}

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

co_purchases as (
    -- how many customers bought both products
    select
        a.product_id as owned_product_id,
        b.product_id as candidate_product_id,
        count(*) as co_buyers
    from lines as a
    inner join lines as b
        on a.customer_id = b.customer_id and a.product_id <> b.product_id
    group by 1, 2
),

candidates as (
    select
        owned.customer_id,
        co_purchases.candidate_product_id as product_id,
        sum(co_purchases.co_buyers) as score
    from lines as owned
    inner join co_purchases
        on owned.product_id = co_purchases.owned_product_id
    left join lines as already
        on owned.customer_id = already.customer_id and co_purchases.candidate_product_id = already.product_id
    where already.product_id is null
    group by 1, 2
),

ranked as (
    select
        *,
        row_number() over (partition by customer_id order by score desc, product_id) as recommendation_rank
    from candidates
),

final as (
    select
        customer_id,
        product_id,
        cast(recommendation_rank as {{ dbt.type_bigint() }}) as rank,
        cast(score as double) as score
    from ranked
    where recommendation_rank <= {{ var('recommendations_per_customer') }}
)

select * from final
