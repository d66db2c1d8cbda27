"""What the photo tests share: the two storages behind the ``photos`` name (a temporary
folder, and a bucket on moto's S3 server running as a process of its own), images as a
phone makes them (a JPEG with a GPS position in its EXIF) and as an attacker does, and the
phone's side of an upload, through HTTP only."""

import io
import struct
import subprocess
import sys
import zlib

import requests
from PIL import ExifTags, Image
from rest_framework_simplejwt.tokens import RefreshToken

from tests.servers import _wait_port, free_port

FS = "django.core.files.storage.FileSystemStorage"
GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (36.0, 15.0, 50.4)}


def jpeg_with_gps(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def heic_with_gps(size=(320, 240)) -> bytes:
    """An iPhone's HEIC with a GPS position in its EXIF."""
    image = Image.new("RGB", size, (40, 160, 40))
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width=20000, height=20000) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` pixels (of one bit each)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    body = zlib.compress(row * 64, 9)  # a few rows only: the header is what counts
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def renamed_executable() -> bytes:
    """The first bytes of this machine's Python interpreter, as if named photo.jpg."""
    with open(sys.executable, "rb") as binary:
        return binary.read(64 * 1024)


class Phone:
    """One user's phone: the API through HTTP with the user's token, and the upload form
    posted exactly as the API describes it."""

    def __init__(self, base_url: str, user):
        self.base = base_url
        self.session = requests.Session()
        if user is not None:
            self.session.headers["Authorization"] = f"Bearer {RefreshToken.for_user(user).access_token}"

    def presign(self, job_id: int, kind: str, **extra) -> requests.Response:
        return self.session.post(f"{self.base}/api/v1/jobs/{job_id}/photos/uploads", json={"kind": kind, **extra})

    def confirm(self, job_id: int, upload_key: str) -> requests.Response:
        return self.session.post(f"{self.base}/api/v1/jobs/{job_id}/photos", json={"upload_key": upload_key})

    def photos(self, job_id: int) -> requests.Response:
        return self.session.get(f"{self.base}/api/v1/jobs/{job_id}/photos")

    @staticmethod
    def upload(form: dict, data: bytes, filename="IMG_0001.jpg", content_type="image/jpeg") -> requests.Response:
        # No API token: the form is the credential, as for a bucket.
        return requests.post(
            form["url"], data=form["fields"], files={form["file_field"]: (filename, data, content_type)}, timeout=30
        )


class MotoServer:
    """moto's S3 in server mode, a process of its own on a free port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self) -> "MotoServer":
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(self.port, up=True, seconds=60)
        return self

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
