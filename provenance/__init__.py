"""provenance: is this video what its caption claims?

The public API::

    from provenance import Library, verify
    result = verify("repost.mp4", Library("library.db"))
    print(result.verdict, [m.reference_id for m in result.matches])
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

from .acquire import find_videos
from .batch import BatchItem, verify_each
from .errors import AcquireError, LibraryError, MediaError, ProvenanceError, SettingsError
from .fingerprint import fingerprint_video
from .library import Library
from .models import (
    Alignment,
    Claim,
    ClaimKind,
    ClaimStatus,
    Finding,
    Fingerprint,
    LocalVideo,
    Original,
    Rating,
    Segment,
    StatedClaims,
    Verdict,
    Verification,
    VideoRef,
)
from .pipeline import verify, verify_article, verify_many, verify_video
from .registry import import_manifest, register, update
from .settings import Settings, load_settings

__all__ = [
    "AcquireError", "Alignment", "BatchItem", "Claim", "ClaimKind", "ClaimStatus", "Finding",
    "Fingerprint", "Library", "LibraryError", "LocalVideo", "MediaError", "Original",
    "ProvenanceError", "Rating", "Segment", "Settings", "SettingsError", "StatedClaims",
    "Verdict", "Verification", "VideoRef", "__version__", "find_videos", "fingerprint_video",
    "import_manifest", "load_settings", "register", "update", "verify", "verify_article",
    "verify_each", "verify_many", "verify_video",
]
