"""Content Credentials: a C2PA manifest in a file, read and validated with c2pa-python.

The only module that imports ``c2pa``. c2pa-python is optional (the ``evidence`` extra): without
it, every file is reported as "skipped", never as "absent", so a report does not claim a file
carries no credentials when they were not looked for.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .models import ContentCredentials

# A manifest store is a few kilobytes to a few megabytes (thumbnails); larger JSON is refused.
MAX_MANIFEST_JSON = 5_000_000
# Validation codes that mean the file or manifest changed after signing, or the signature fails
# (C2PA 2.1, section 15: failure codes). "signingCredential.untrusted" is not one of them: it
# means no trust list given to us vouches for the signer.
_UNTRUSTED = "signingCredential.untrusted"
_TEXT_LIMIT = 300


def _clip(value: Any) -> str:
    return str(value)[:_TEXT_LIMIT] if value is not None else ""


def _reader(path: str, trust_anchors: bytes | None) -> Any:
    import c2pa

    if trust_anchors is None:
        return c2pa.Reader(path)
    settings = c2pa.Settings.from_dict({"verify": {"verify_trust": True},
                                        "trust": {"trust_anchors": trust_anchors.decode()}})
    return c2pa.Reader(path, context=c2pa.Context(settings=settings))


def read_credentials(path: str | os.PathLike[str],
                     trust_anchors: bytes | None = None) -> ContentCredentials:
    """The file's active C2PA manifest, validated; ``trust_anchors`` (PEM) are the certificates
    whose signers count as trusted."""
    try:
        import c2pa
    except ImportError:
        return ContentCredentials("skipped", "Content Credentials were not read: install "
                                  "provenance[evidence] (c2pa-python) to read them.")
    try:
        with _reader(os.fspath(path), trust_anchors) as reader:
            text = reader.json()
    except c2pa.C2paError.ManifestNotFound:
        return ContentCredentials("absent", "The file carries no Content Credentials.")
    except (c2pa.C2paError, OSError, ValueError) as error:
        return ContentCredentials("unreadable", "The file's Content Credentials could not be "
                                  f"read: {_clip(error)}")
    if len(text) > MAX_MANIFEST_JSON:
        return ContentCredentials("unreadable", "The file's Content Credentials are too large "
                                  "to read.")
    return describe(json.loads(text))


def _actions(manifest: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                found.append(_clip(action.get("action", "")).removeprefix("c2pa."))
    return tuple(found[:50])


def _generator(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info") or []
    if info and isinstance(info[0], dict):
        return " ".join(_clip(info[0].get(k, "")) for k in ("name", "version")).strip()
    return _clip(manifest.get("claim_generator", ""))


def describe(store: dict[str, Any]) -> ContentCredentials:
    """A manifest store (c2pa-python's JSON) as what a checker needs to know."""
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "") or {}
    signature = manifest.get("signature_info") or {}
    codes = [s for s in store.get("validation_status") or [] if isinstance(s, dict)]
    failures = tuple(_clip(f"{s.get('code', '')}: {s.get('explanation', '')}") for s in codes
                     if s.get("code") != _UNTRUSTED)
    untrusted = any(s.get("code") == _UNTRUSTED for s in codes)
    signer = _clip(signature.get("common_name") or signature.get("issuer") or "an unknown signer")
    fields: dict[str, Any] = dict(signer=_clip(signature.get("common_name", "")),
                  issuer=_clip(signature.get("issuer", "")), claim_generator=_generator(manifest),
                  signed_at=_clip(signature.get("time", "")), title=_clip(manifest.get("title")),
                  actions=_actions(manifest), problems=failures)
    if failures or not manifest:
        return ContentCredentials("invalid", f"INVALID Content Credentials (signed by {signer}): "
                                  "the file or its manifest changed after signing, or the "
                                  "signature does not check; nothing in them can be relied on.",
                                  **fields)
    if untrusted:
        return ContentCredentials("valid", f"Content Credentials signed by {signer}: the "
                                  "signature checks, but the signer is on no trust list we were "
                                  "given (untrusted): anyone can sign like this.", **fields)
    return ContentCredentials("trusted", f"Content Credentials signed by {signer}, a trusted "
                              "signer; the signature and the file's hashes check.", **fields)
