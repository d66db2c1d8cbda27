"""WeChat Pay's platform keys: which public key verifies what WeChat Pay signed.

Answers and notifications carry ``Wechatpay-Serial``: the id of the WeChat Pay public key
(微信支付公钥, ``PUB_KEY_ID_...``) or the serial number of a platform certificate (平台证书).
A merchant may use either, and while it switches from certificates to the public key WeChat
Pay signs callbacks with both (a share that grows day by day to all by the seventh day), so
every key the merchant may be signed with is trusted at once: the configured public key, and
every platform certificate still valid, downloaded from ``/v3/certificates``
("如何从平台证书切换成微信支付公钥",
https://pay.weixin.qq.com/docs/partner/products/platform-certificate/update-pub-key.html;
certificates overlap when WeChat Pay rotates them). Certificates are kept in
``PlatformCertificate`` and downloaded again on a schedule (``gateway_keys_refresh_task``)
and, at most once a minute, when a notification names a serial we do not know.

The download is authenticated by its encryption: each certificate arrives encrypted with
AEAD_AES_256_GCM under the merchant's APIv3 key, which only WeChat Pay and the merchant hold,
and its serial must be the one the list names.
"""

import contextlib
import json
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from wechatpayv3.core import Core
from wechatpayv3.utils import aes_decrypt

from payments.gateways.interface import GatewayError
from payments.models import PlatformCertificate

CERTIFICATES_PATH = "/v3/certificates"
REFRESH_AT_MOST_EVERY_SECONDS = 60


def serial_of(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "X")


def _same_serial(a: str, b: str) -> bool:
    try:
        return int(a, 16) == int(b, 16)
    except (TypeError, ValueError):
        return False


def certificates(*, now=None) -> list[x509.Certificate]:
    """Every stored platform certificate that is valid now, newest expiry first."""
    now = now or timezone.now()
    rows = PlatformCertificate.objects.filter(effective_at__lte=now, expires_at__gt=now).order_by("-expires_at")
    return [x509.load_pem_x509_certificate(row.certificate_pem.encode()) for row in rows]


def verification_key(config, serial: str, *, now=None):
    """The public key that verifies what ``serial`` signed, or None if we trust no such key."""
    if config.public_key_id and serial == config.public_key_id:
        return serialization.load_pem_public_key(config.public_key_pem.encode())
    if not config.certificates:
        return None
    for certificate in certificates(now=now):
        if _same_serial(serial, serial_of(certificate)):
            return certificate.public_key()
    return None


def encryption_key(config) -> tuple[str, str]:
    """(serial, PEM public key) to encrypt sensitive fields with and to name in requests'
    ``Wechatpay-Serial``: the public key when configured, else the newest certificate."""
    if config.public_key_id:
        return config.public_key_id, config.public_key_pem
    valid = certificates()
    if not valid:
        raise GatewayError("no WeChat Pay platform certificate is known yet", transient=True)
    newest = valid[0]
    pem = newest.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return serial_of(newest), pem.decode()


def _download_core(config) -> Core:
    """An SDK core that signs requests with the merchant key and sends no Wechatpay-Serial:
    enough to download the certificates, whose answer is checked by decryption below."""
    own = serialization.load_pem_private_key(config.private_key_pem.encode(), password=None).public_key()
    pem = own.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    core = Core(
        mchid=config.mchid,
        cert_serial_no=config.cert_serial_no,
        private_key=config.private_key_pem,
        apiv3_key=config.apiv3_key,
        timeout=(5, 20),
        public_key=pem,  # a placeholder so the SDK does not download at construction
        public_key_id="download",
    )
    core._public_key, core._public_key_id = None, None
    # The SDK has no public setting for its API host; its core keeps it here.
    core._gate_way = config.api_base_url
    return core


def _parse_time(value) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        raise GatewayError(f"WeChat Pay certificates: not a time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def certificates_download(config) -> list[tuple[str, str, datetime, datetime]]:
    """(serial, certificate PEM, effective, expires) of each certificate WeChat Pay lists."""
    import requests

    try:
        status, text = _download_core(config).request(CERTIFICATES_PATH, skip_verify=True)
    except requests.RequestException as exc:
        raise GatewayError(f"WeChat Pay certificates: {type(exc).__name__}", transient=True) from None
    if status != 200:
        code = ""
        with contextlib.suppress(ValueError, AttributeError):
            code = json.loads(text).get("code", "")
        raise GatewayError(f"WeChat Pay certificates: {status} {code}", transient=status >= 500 or status == 429)
    try:
        items = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError):
        raise GatewayError("WeChat Pay certificates: the answer is not the certificate list") from None
    found = []
    for item in items:
        encrypted = item.get("encrypt_certificate") or {}
        try:
            pem = aes_decrypt(
                nonce=encrypted["nonce"],
                ciphertext=encrypted["ciphertext"],
                associated_data=encrypted.get("associated_data") or "",
                apiv3_key=config.apiv3_key,
            )
        except (KeyError, TypeError, ValueError):
            pem = None
        if pem is None:
            raise GatewayError("WeChat Pay certificates: a certificate does not open with our APIv3 key")
        certificate = x509.load_pem_x509_certificate(pem.encode())
        if not _same_serial(item.get("serial_no", ""), serial_of(certificate)):
            raise GatewayError("WeChat Pay certificates: a certificate is not the serial its entry names")
        found.append(
            (serial_of(certificate), pem, _parse_time(item.get("effective_time")), _parse_time(item.get("expire_time")))
        )
    return found


def certificates_refresh(config) -> list[str]:
    """Download the certificates and keep them; returns their serials."""
    serials = []
    for serial, pem, effective, expires in certificates_download(config):
        PlatformCertificate.objects.update_or_create(
            serial_no=serial, defaults={"certificate_pem": pem, "effective_at": effective, "expires_at": expires}
        )
        serials.append(serial)
    return serials


def certificates_refresh_if_due(config) -> bool:
    """Refresh for an unknown serial, at most once a minute (a flood of forged serials must
    not turn into a flood of downloads). True if it refreshed."""
    if not config.certificates or not cache.add("wechatpay:certificates:refreshed", 1, REFRESH_AT_MOST_EVERY_SECONDS):
        return False
    certificates_refresh(config)
    return True
