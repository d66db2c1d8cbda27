"""The WeChat Pay (API v3) settings, kept out of ``settings.py`` for its size (docs/payments.md,
"Going live with WeChat Pay"). With PAYMENT_PROVIDER=wechatpay the required variables must
be set, or start-up refuses, naming the variables and never their values; payments/checks.py
also loads the key files the way the SDK will. Paths point at PEM files outside the
repository."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# Required with PAYMENT_PROVIDER=wechatpay.
WECHATPAY_SETTINGS = {
    "WECHATPAY_MCHID": "merchant id (商户号)",
    "WECHATPAY_APPID": "the AppID of Native (QR code) orders, bound to the merchant",
    "WECHATPAY_CERT_SERIAL_NO": "serial number of the merchant API certificate",
    "WECHATPAY_PRIVATE_KEY_PATH": "merchant API private key, PKCS#8 PEM (apiclient_key.pem)",
    "WECHATPAY_APIV3_KEY": "APIv3 key, 32 characters",
    "WECHATPAY_NOTIFY_URL": "public HTTPS URL of /api/v1/payments/webhooks/wechatpay",
}
# Optional, with their defaults.
WECHATPAY_OPTIONAL = {
    # Each channel's AppID (WeChat Pay checks the payer's openid and the app against it):
    # the SME app's Open Platform mobile-app AppID, and the mini program's or official
    # account's for JSAPI. Empty: WECHATPAY_APPID.
    "WECHATPAY_APP_APPID": "",
    "WECHATPAY_JSAPI_APPID": "",
    # The AppID under which factories' payee openids were issued (transfers). Empty: the
    # JSAPI AppID, else WECHATPAY_APPID.
    "WECHATPAY_TRANSFER_APPID": "",
    # The WeChat Pay public key (微信支付公钥) and its id (PUB_KEY_ID_...).
    "WECHATPAY_PUBLIC_KEY_ID": "",
    "WECHATPAY_PUBLIC_KEY_PATH": "",
    # Platform certificates downloaded from /v3/certificates: "auto" (on when no public key
    # is configured), "on" (also beside a public key: during the switch from certificates to
    # the public key both sign callbacks), "off".
    "WECHATPAY_PLATFORM_CERTIFICATES": "auto",
    # 商家转账: the transfer scene (转账场景ID) and the report infos its scene requires
    # ("信息类型=内容;信息类型=内容"), and what the payee sees as the reason (optional).
    "WECHATPAY_TRANSFER_SCENE_ID": "",
    "WECHATPAY_TRANSFER_REPORT_INFOS": "",
    "WECHATPAY_TRANSFER_PERCEPTION": "",
    # "bills": the upgraded 商家转账 (transfer-bills, the payee confirms); "legacy": the
    # pre-2025-01-15 batch API (商家转账到零钱), only for merchants who still have it.
    "WECHATPAY_TRANSFER_API": "bills",
    "WECHATPAY_API_BASE_URL": "https://api.mch.weixin.qq.com",
}


def wechatpay_settings(env, payment_provider: str, beat_schedule: dict) -> dict:
    """The settings to add; with WeChat Pay chosen, also its beat tasks."""
    values = {name: env.str(name, default="") for name in WECHATPAY_SETTINGS}
    values.update({name: env.str(name, default=default) for name, default in WECHATPAY_OPTIONAL.items()})
    values.update(
        WECHATPAY_SETTINGS=WECHATPAY_SETTINGS,
        WECHATPAY_OPTIONAL_SETTINGS=tuple(WECHATPAY_OPTIONAL),
        WECHATPAY_BILL_HOUR=env.int("WECHATPAY_BILL_HOUR", default=11),  # a day's bill is ready ~10:00 next day
        # A QR code or prepay id is renewed when it has less than this left (WeChat Pay's
        # code_url and prepay_id live 2 hours; orders are opened with time_expire 2 hours on).
        WECHATPAY_ORDER_RENEW_SECONDS=env.int("WECHATPAY_ORDER_RENEW_SECONDS", default=600),
        WECHATPAY_CERTIFICATES_REFRESH_HOURS=env.float("WECHATPAY_CERTIFICATES_REFRESH_HOURS", default=12.0),
    )
    if payment_provider == "wechatpay":
        beat_schedule["wechatpay-bill"] = {
            "task": "payments.tasks.bill_reconcile_task",
            "schedule": crontab(hour=values["WECHATPAY_BILL_HOUR"], minute=0),
        }
        beat_schedule["wechatpay-certificates"] = {
            "task": "payments.tasks.gateway_keys_refresh_task",
            "schedule": values["WECHATPAY_CERTIFICATES_REFRESH_HOURS"] * 3600,
        }
        missing = [name for name in WECHATPAY_SETTINGS if not values[name]]
        if not values["WECHATPAY_PUBLIC_KEY_ID"] and values["WECHATPAY_PLATFORM_CERTIFICATES"] == "off":
            missing.append("WECHATPAY_PUBLIC_KEY_ID (or WECHATPAY_PLATFORM_CERTIFICATES on)")
        if bool(values["WECHATPAY_PUBLIC_KEY_ID"]) != bool(values["WECHATPAY_PUBLIC_KEY_PATH"]):
            missing.append("WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY_PATH together")
        if missing:
            raise ImproperlyConfigured(
                "PAYMENT_PROVIDER=wechatpay but these are not set: "
                + ", ".join(f"{name} ({WECHATPAY_SETTINGS.get(name, 'see docs/payments.md')})" for name in missing)
            )
    return values
