"""A terse console logger for runs started by the `warehouse` command: one line per thing done."""

import ast
import logging
import re
import sys

import dagster as dg

# Messages from assets, and the few framework events an operator wants to see scroll by.
SHOWN_EVENTS = {"STEP_START", "STEP_FAILURE", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"}


class _ProgressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return record.levelno >= logging.INFO
        return event.event_type_value in SHOWN_EVENTS


# Dagster says which steps it did not run with one list entry per input, so a step reading all the
# dbt models named the dbt step once per model (56 times on one line): each name is given once.
_NOT_EXECUTING = re.compile(
    r"^Dependencies for step (?P<step>\S+)(?: failed: (?P<failed>\[[^\]]*\]))?"
    r"(?: were not executed: (?P<abandoned>\[[^\]]*\]))?\. Not executing\.$"
)


def _unique_names(listed: str | None) -> list[str]:
    if not listed:
        return []
    try:
        names = ast.literal_eval(listed)
    except (ValueError, SyntaxError):
        return [listed]
    return list(dict.fromkeys(str(name) for name in names))


def describe_not_executed(message: str) -> str:
    """Dagster's 'Dependencies for step ... Not executing.' with each step it names once."""
    match = _NOT_EXECUTING.match(message.strip())
    if not match:
        return message
    reasons = []
    if failed := _unique_names(match["failed"]):
        reasons.append(f"{', '.join(failed)} failed")
    if abandoned := _unique_names(match["abandoned"]):
        reasons.append(f"{', '.join(abandoned)} did not run")
    return f"not run, because {' and '.join(reasons) or 'a step it needs did not run'}"


class _ProgressFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        when = self.formatTime(record, "%H:%M:%S")
        if event is None:
            message = describe_not_executed(meta.get("orig_message") or record.getMessage())
            return f"{when}  {step}: {message}" if step else f"{when}  {message}"
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            key = event.asset_key.to_user_string() if event.asset_key else "?"
            return f"{when}  built {key}"
        if kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            verdict = "passed" if data.passed else f"FAILED ({data.severity.value.lower()})"
            return f"{when}  check {data.asset_key.to_user_string()}:{data.check_name} {verdict}"
        if kind == "STEP_START":
            return f"{when}  start {step}"
        if kind == "STEP_FAILURE":
            message = meta.get("orig_message") or record.getMessage()
            if message.strip() == f'Execution of step "{step}" failed.':
                # the step's error is in the refresh's summary (RefreshOutcome.report), once
                return f"{when}  FAILED {step}"
            return f"{when}  FAILED {step}: {message}"
        return f"{when}  {record.getMessage()}"


@dg.logger(
    config_schema={"log_level": dg.Field(str, default_value="INFO")},
    description="One line per load, model, check and failure; used by the warehouse command.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("warehouse.progress")
    logger.setLevel(init_context.logger_config["log_level"])
    logger.propagate = False
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ProgressFilter())
    handler.setFormatter(_ProgressFormatter())
    logger.addHandler(handler)
    return logger
