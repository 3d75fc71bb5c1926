"""The server's logs: one JSON object per line on stderr, for journald, Loki or `jq` alike.

`python -m sync_server` (one process or several workers) installs `logging_config()` with
`logging.config.dictConfig` and hands the same dictionary to uvicorn, so uvicorn's own loggers
(`uvicorn.error`, `uvicorn.access`) write through the same formatter instead of its coloured defaults.
Every line written while a request is served carries that request's `request_id`
(edge/request_id.py), the id the client got back in `X-Request-ID` and in any problem's `incident`.
A formatter of our own (a few lines) rather than a dependency.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sync_server.edge.request_id import current_request_id

# Attributes every LogRecord has; anything else on a record was passed as `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id",
                                                                          "color_message", "taskName"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record."""
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line (non-ASCII kept readable: messages are often Chinese)."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            line.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        for key, value in vars(record).items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The dictConfig for the server and for uvicorn's `log_config=`."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json",
               "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {name: {"handlers": ["stderr"], "level": level, "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
