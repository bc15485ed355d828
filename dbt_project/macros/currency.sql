{#- Join condition picking the FX range of `currency_expr` valid on `date_expr`. -#}
{% macro fx_rate_valid_on(rate_alias, currency_expr, date_expr) -%}
    {{ rate_alias }}.currency = {{ currency_expr }}
    and {{ date_expr }} >= {{ rate_alias }}.valid_from
    and ({{ rate_alias }}.valid_until is null or {{ date_expr }} < {{ rate_alias }}.valid_until)
{%- endmacro %}

{#- Factor that turns an amount in `currency_expr` into the reporting currency (contract §1):
    1 for amounts already in it, otherwise through US-dollar rates; null when a rate is missing,
    which the not_null tests on converted amounts turn into a failed refresh naming the model. -#}
{% macro to_reporting_factor(currency_expr, source_rate_alias, reporting_rate_alias) -%}
    case
        when {{ currency_expr }} = '{{ reporting_currency() }}' then 1.0
        else {{ reporting_rate_alias }}.units_per_usd / {{ source_rate_alias }}.units_per_usd
    end
{%- endmacro %}
