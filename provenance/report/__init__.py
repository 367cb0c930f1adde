"""Reports: JSON for workflows (with its JSON Schema), text and HTML for people, and schema.org
MediaReview / ClaimReview JSON-LD for publishing."""

from .html_report import to_html
from .json_report import REPORT_SCHEMA_VERSION, schema, to_dict, to_json, to_payload
from .jsonld import authenticity_category, script_text, to_jsonld
from .text_report import to_text, to_texts

__all__ = ["REPORT_SCHEMA_VERSION", "authenticity_category", "schema", "script_text", "to_dict",
           "to_html", "to_json", "to_jsonld", "to_payload", "to_text", "to_texts"]
