"""The two storages behind the ``photos`` name, for every photo test: a temporary folder,
and a fresh bucket on moto's S3 server (one process per test module)."""

import uuid
from pathlib import Path

import boto3
import pytest

from tests.evidence.photos import FS, MotoServer


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer().start()
    yield server
    server.close()


class Stored:
    """What the photos storage holds, whichever it is."""

    def __init__(self, names):
        self.names = names

    def __call__(self) -> list[str]:
        return sorted(self.names())


@pytest.fixture(params=["filesystem", "s3"])
def backend(request, settings, tmp_path):
    """Points the ``photos`` storage at a temporary folder or a fresh bucket on moto."""
    storages = dict(settings.STORAGES)
    if request.param == "filesystem":
        root = tmp_path / "photos"
        storages["photos"] = {"BACKEND": FS, "OPTIONS": {"location": str(root)}}
        settings.STORAGES = storages
        return Stored(lambda: [str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file()])
    server = request.getfixturevalue("moto_server")
    bucket = f"photos-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=bucket)
    storages["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": server.url,
            "region_name": "us-east-1",
            "access_key": "test-key",
            "secret_key": "test-secret",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_expire": settings.PHOTO_URL_EXPIRES_SECONDS,
            "file_overwrite": False,
        },
    }
    settings.STORAGES = storages
    return Stored(lambda: [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])])
