"""Acquire: find the videos an article references and download them with their provenance."""

from .article import (
    UPLOAD_DATE,
    canonical_url,
    find_videos,
    is_video_file_url,
    page_text,
    published_date,
    read_page,
)
from .download import (
    download,
    is_supported,
    local_video,
    sha256_file,
    site_options,
)
from .page import DEFAULT_PAGE_SECONDS, MAX_PAGE_BYTES, fetch_page

__all__ = [
    "DEFAULT_PAGE_SECONDS", "MAX_PAGE_BYTES", "UPLOAD_DATE", "canonical_url", "download",
    "fetch_page", "find_videos", "is_supported", "is_video_file_url", "local_video", "page_text",
    "published_date", "read_page", "sha256_file", "site_options",
]
