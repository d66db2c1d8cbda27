"""The merchant's WeChat Pay credentials, read from settings (the environment) and the key
files they name. The APIv3 key and the private key never appear in a repr, a log line or
an error message: problems name the variable, not its value. Keys are loaded the way the
``wechatpayv3`` SDK loads them, so a key that passes here is one the SDK can use."""

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from wechatpayv3.utils import load_private_key, load_public_key

PKCS8_HELP = (
    "it must be the unencrypted PKCS#8 PEM WeChat Pay issues (-----BEGIN PRIVATE KEY-----); convert a "
    "PKCS#1 key (-----BEGIN RSA PRIVATE KEY-----) with: openssl pkcs8 -topk8 -nocrypt -in <file> -out apiclient_key.pem"
)


class WechatPayConfigError(Exception):
    """The configuration is incomplete or a key file is unusable (message names the variable)."""


@dataclass(frozen=True)
class WechatPayConfig:
    mchid: str
    native_appid: str
    app_appid: str
    jsapi_appid: str
    transfer_appid: str
    cert_serial_no: str
    notify_url: str
    api_base_url: str
    public_key_id: str  # "" when the merchant verifies with platform certificates only
    certificates: bool  # download platform certificates (/v3/certificates) and trust them
    transfer_scene_id: str
    transfer_report_infos: tuple[tuple[str, str], ...]
    transfer_perception: str
    transfer_api: str  # "bills" or "legacy"
    order_renew_seconds: int
    private_key_pem: str = field(repr=False)
    apiv3_key: str = field(repr=False)
    public_key_pem: str = field(repr=False)

    def appid_for(self, channel: str) -> str:
        return {"app": self.app_appid, "jsapi": self.jsapi_appid}.get(channel, self.native_appid)

    @property
    def appids(self) -> frozenset[str]:
        return frozenset({self.native_appid, self.app_appid, self.jsapi_appid})


def _read(name: str) -> str:
    path = getattr(settings, name, "")
    if not path:
        raise WechatPayConfigError(f"{name} is not set")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise WechatPayConfigError(f"{name}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise WechatPayConfigError(f"{name} is not a PEM text file") from None


def _private_key_pem(name: str) -> str:
    text = _read(name)
    try:
        key = load_private_key(text)  # the SDK's own loader: PKCS#8 only
    except Exception:  # noqa: BLE001 - the SDK raises a bare Exception
        raise WechatPayConfigError(f"{name} is not a key the WeChat Pay SDK can load: {PKCS8_HELP}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise WechatPayConfigError(f"{name} is not an RSA key")
    return text


def _public_key_pem(name: str) -> str:
    text = _read(name)
    try:
        key = load_public_key(text)  # the SDK's own loader
    except Exception:  # noqa: BLE001 - the SDK raises a bare Exception
        raise WechatPayConfigError(f"{name} is not a PEM public key (pub_key.pem from the merchant platform)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise WechatPayConfigError(f"{name} is not an RSA key")
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def report_infos(text: str) -> tuple[tuple[str, str], ...]:
    """``WECHATPAY_TRANSFER_REPORT_INFOS``: ``信息类型=内容;信息类型=内容`` (WeChat Pay limits
    a type to 15 characters and a content to 32)."""
    infos = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        kind, sep, content = part.partition("=")
        if not sep or not kind.strip() or not content.strip() or len(kind.strip()) > 15 or len(content.strip()) > 32:
            raise WechatPayConfigError(
                "WECHATPAY_TRANSFER_REPORT_INFOS must be '信息类型=内容;...' (type <= 15, content <= 32 characters)"
            )
        infos.append((kind.strip(), content.strip()))
    return tuple(infos)


def wechatpay_config() -> WechatPayConfig:
    """The configuration, or WechatPayConfigError naming the first unusable variable."""
    missing = [name for name in settings.WECHATPAY_SETTINGS if not getattr(settings, name, "")]
    if missing:
        raise WechatPayConfigError("not set: " + ", ".join(missing))
    if len(settings.WECHATPAY_APIV3_KEY.encode()) != 32:
        raise WechatPayConfigError("WECHATPAY_APIV3_KEY must be 32 bytes (the AES-256 key)")
    if not settings.WECHATPAY_NOTIFY_URL.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise WechatPayConfigError("WECHATPAY_NOTIFY_URL must be an https:// URL")
    public_key_id = settings.WECHATPAY_PUBLIC_KEY_ID
    mode = (settings.WECHATPAY_PLATFORM_CERTIFICATES or "auto").lower()
    if mode not in ("auto", "on", "off"):
        raise WechatPayConfigError("WECHATPAY_PLATFORM_CERTIFICATES must be auto, on or off")
    certificates = mode == "on" or (mode == "auto" and not public_key_id)
    if not public_key_id and not certificates:
        raise WechatPayConfigError("set WECHATPAY_PUBLIC_KEY_ID and _PATH, or WECHATPAY_PLATFORM_CERTIFICATES=on")
    if settings.WECHATPAY_TRANSFER_API not in ("bills", "legacy"):
        raise WechatPayConfigError("WECHATPAY_TRANSFER_API must be bills or legacy")
    native = settings.WECHATPAY_APPID
    jsapi = settings.WECHATPAY_JSAPI_APPID or native
    return WechatPayConfig(
        mchid=settings.WECHATPAY_MCHID,
        native_appid=native,
        app_appid=settings.WECHATPAY_APP_APPID or native,
        jsapi_appid=jsapi,
        transfer_appid=settings.WECHATPAY_TRANSFER_APPID or jsapi,
        cert_serial_no=settings.WECHATPAY_CERT_SERIAL_NO,
        notify_url=settings.WECHATPAY_NOTIFY_URL,
        api_base_url=settings.WECHATPAY_API_BASE_URL.rstrip("/"),
        public_key_id=public_key_id,
        certificates=certificates,
        transfer_scene_id=settings.WECHATPAY_TRANSFER_SCENE_ID,
        transfer_report_infos=report_infos(settings.WECHATPAY_TRANSFER_REPORT_INFOS),
        transfer_perception=settings.WECHATPAY_TRANSFER_PERCEPTION,
        transfer_api=settings.WECHATPAY_TRANSFER_API,
        order_renew_seconds=settings.WECHATPAY_ORDER_RENEW_SECONDS,
        private_key_pem=_private_key_pem("WECHATPAY_PRIVATE_KEY_PATH"),
        apiv3_key=settings.WECHATPAY_APIV3_KEY,
        public_key_pem=_public_key_pem("WECHATPAY_PUBLIC_KEY_PATH") if public_key_id else "",
    )
