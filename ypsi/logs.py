"""Log lines as JSON objects when LOG_FORMAT=json, for a log collector; plain text otherwise.

One object a line: time (UTC, ISO 8601), level, logger, message, and the traceback when there
is one. The same formatter serves Django, Celery (which then leaves the root logger alone) and
gunicorn (`ypsi/gunicorn_conf.py`).
"""

import datetime
import json
import logging


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
