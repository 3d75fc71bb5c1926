"""Evidence files in an S3-compatible object store (Ceph RADOS Gateway, MinIO, a cloud's OSS), for
deployments that outgrow one machine's disk. Keys are `evidence/ab/abcdef...` (the SHA-256), so an
object's name still proves its content. A PUT is answered only once the store has the object; the
server then forgets its local copy. boto3 does the signing, retries and multipart uploads."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

PREFIX = "evidence"
DERIVED = "derived"  # display copies: made from evidence, never evidence themselves
_TRANSFER = TransferConfig(multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024,
                           max_concurrency=4)


@dataclass(frozen=True)
class S3Location:
    """Where the bucket is and how to sign in to it."""

    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"


class S3Evidence:
    """Content-addressed evidence objects in one bucket."""

    def __init__(self, location: S3Location) -> None:
        self.location = location
        self.client = boto3.client(
            "s3", endpoint_url=location.endpoint, aws_access_key_id=location.access_key,
            aws_secret_access_key=location.secret_key, region_name=location.region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60))

    @staticmethod
    def key(sha256: str) -> str:
        """The object key of a file."""
        return f"{PREFIX}/{sha256[:2]}/{sha256}"

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet."""
        try:
            self.client.head_bucket(Bucket=self.location.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.location.bucket)

    def size(self, sha256: str) -> int | None:
        """The stored object's size, or None if there is none."""
        try:
            head = self.client.head_object(Bucket=self.location.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return int(head["ContentLength"])

    def has(self, sha256: str) -> bool:
        """Whether the object is stored."""
        return self.size(sha256) is not None

    def put_file(self, source: Path, sha256: str) -> None:
        """Store a verified file under its hash; returns once the store holds all of it."""
        expected = source.stat().st_size
        self.client.upload_file(str(source), self.location.bucket, self.key(sha256), Config=_TRANSFER)
        stored = self.size(sha256)
        if stored != expected:
            raise OSError(f"object store kept {stored} of {expected} bytes for {sha256}")

    def download(self, sha256: str, target: Path) -> None:
        """Copy an object to a local file (the caller renames it into place)."""
        self.client.download_file(self.location.bucket, self.key(sha256), str(target), Config=_TRANSFER)

    def delete(self, sha256: str) -> None:
        """Remove a stored file (disposal, R35); no error if it is not there."""
        self.client.delete_object(Bucket=self.location.bucket, Key=self.key(sha256))

    def put_derived(self, key: str, source: Path) -> None:
        """Store a derived file (a display copy) under `derived/<key>`; never under `evidence/`."""
        self.client.upload_file(str(source), self.location.bucket, f"{DERIVED}/{key}", Config=_TRANSFER)

    def get_derived(self, key: str, target: Path) -> bool:
        """Copy `derived/<key>` to a local file; False if there is no such object."""
        try:
            self.client.download_file(self.location.bucket, f"{DERIVED}/{key}", str(target), Config=_TRANSFER)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete_derived(self, key: str) -> None:
        """Remove `derived/<key>` (no error if it is not there)."""
        self.client.delete_object(Bucket=self.location.bucket, Key=f"{DERIVED}/{key}")

    def stored(self) -> set[str]:
        """Every stored hash (for backups and checks)."""
        found: set[str] = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.location.bucket,
                                                                          Prefix=f"{PREFIX}/"):
            found |= {item["Key"].rsplit("/", 1)[1] for item in page.get("Contents", [])}
        return found
