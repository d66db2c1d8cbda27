"""The merchant's WeChat Pay credentials, read from settings (the environment) and the key
files they name. The APIv3 key and the private key never appear in a repr, a log line or
an error message: problems name the variable, not its value."""

from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings


class WechatPayConfigError(Exception):
    """The configuration is incomplete or a key file is unusable (message names the variable)."""


@dataclass(frozen=True)
class WechatPayConfig:
    mchid: str
    appid: str
    cert_serial_no: str
    platform_serial: str
    notify_url: str
    api_base_url: str
    transfer_scene_id: str
    private_key_pem: str = field(repr=False)
    apiv3_key: str = field(repr=False)
    platform_public_key_pem: str = field(repr=False)

    @property
    def platform_public_key(self) -> rsa.RSAPublicKey:
        return serialization.load_pem_public_key(self.platform_public_key_pem.encode())


def _read(name: str) -> bytes:
    path = getattr(settings, name, "")
    if not path:
        raise WechatPayConfigError(f"{name} is not set")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise WechatPayConfigError(f"{name}: cannot read the file ({exc.strerror})") from None


def _private_key_pem(name: str) -> str:
    data = _read(name)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise WechatPayConfigError(f"{name} is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise WechatPayConfigError(f"{name} is not an RSA key")
    return data.decode()


def _platform_public_key_pem(name: str) -> str:
    """A platform public key (the current scheme), or a platform certificate (the older
    one): either way the adapter verifies with the public key inside."""
    data = _read(name)
    try:
        if b"BEGIN CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError:
        raise WechatPayConfigError(f"{name} is neither a PEM public key nor a PEM certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise WechatPayConfigError(f"{name} is not an RSA key")
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def wechatpay_config() -> WechatPayConfig:
    """The configuration, or WechatPayConfigError naming the first unusable variable."""
    missing = [name for name in settings.WECHATPAY_SETTINGS if not getattr(settings, name, "")]
    if missing:
        raise WechatPayConfigError("not set: " + ", ".join(missing))
    if len(settings.WECHATPAY_APIV3_KEY.encode()) != 32:
        raise WechatPayConfigError("WECHATPAY_APIV3_KEY must be 32 bytes (the AES-256 key)")
    if not settings.WECHATPAY_NOTIFY_URL.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise WechatPayConfigError("WECHATPAY_NOTIFY_URL must be an https:// URL")
    return WechatPayConfig(
        mchid=settings.WECHATPAY_MCHID,
        appid=settings.WECHATPAY_APPID,
        cert_serial_no=settings.WECHATPAY_CERT_SERIAL_NO,
        platform_serial=settings.WECHATPAY_PLATFORM_SERIAL,
        notify_url=settings.WECHATPAY_NOTIFY_URL,
        api_base_url=settings.WECHATPAY_API_BASE_URL.rstrip("/"),
        transfer_scene_id=settings.WECHATPAY_TRANSFER_SCENE_ID,
        private_key_pem=_private_key_pem("WECHATPAY_PRIVATE_KEY_PATH"),
        apiv3_key=settings.WECHATPAY_APIV3_KEY,
        platform_public_key_pem=_platform_public_key_pem("WECHATPAY_PLATFORM_KEY_PATH"),
    )
