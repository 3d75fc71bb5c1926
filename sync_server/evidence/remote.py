"""The S3-compatible evidence store a deployment configures, if any. Its client (boto3) loads only when an
endpoint is set, so a server on the filesystem store never imports it; the app, backups and the check
command all get the store from here."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sync_server.settings import Settings

if TYPE_CHECKING:
    from sync_server.evidence.s3_store import S3Evidence


def object_store(settings: Settings) -> S3Evidence | None:
    """The S3-compatible evidence store if one is configured (its bucket made if missing)."""
    if not settings.s3_endpoint:
        return None
    from sync_server.evidence.s3_store import S3Evidence, S3Location

    store = S3Evidence(S3Location(settings.s3_endpoint, settings.s3_bucket, settings.s3_access_key,
                                  settings.s3_secret_key))
    store.ensure_bucket()
    return store
