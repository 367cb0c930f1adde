"""Reports: JSON for workflows, text for people."""

from .json_report import REPORT_SCHEMA_VERSION, to_dict, to_json
from .text_report import to_text

__all__ = ["REPORT_SCHEMA_VERSION", "to_dict", "to_json", "to_text"]
