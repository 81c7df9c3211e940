"""De jeugdreis: the event log of a run as standard process-mining files and as a process report.

``export_log`` writes CSV (XES column names), XES or OCEL 2.0; ``write_report`` the report of one
run and ``write_comparison`` that of two (``zorgsim export-log`` and ``zorgsim jeugdreis``).
"""

from .export import FORMATS, export_log
from .log import LogError, RunLog, read_log

__all__ = ["FORMATS", "LogError", "RunLog", "export_log", "read_log"]
