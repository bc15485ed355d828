{#- The relation has at least one row (a build that silently produced nothing fails). -#}
{% test not_empty(model) %}
select 1 as is_empty
from (select count(*) as row_count from {{ model }}) as counted
where row_count = 0
{% endtest %}
