"""The WeChat Pay (API v3) settings, kept out of ``settings.py`` for its size (docs/payments.md "Going
live with WeChat Pay"). With PAYMENT_PROVIDER=wechatpay every variable must be set, or
start-up refuses, naming the variables and never their values; payments/checks.py also loads
the key files. Paths point at PEM files outside the repository."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

WECHATPAY_SETTINGS = {
    "WECHATPAY_MCHID": "merchant id (商户号)",
    "WECHATPAY_APPID": "app id bound to the merchant (AppID)",
    "WECHATPAY_CERT_SERIAL_NO": "serial number of the merchant API certificate",
    "WECHATPAY_PRIVATE_KEY_PATH": "merchant API private key, PEM (apiclient_key.pem)",
    "WECHATPAY_APIV3_KEY": "APIv3 key, 32 characters",
    "WECHATPAY_PLATFORM_KEY_PATH": "WeChat Pay platform public key or platform certificate, PEM",
    "WECHATPAY_PLATFORM_SERIAL": "its id (PUB_KEY_ID_...) or certificate serial number",
    "WECHATPAY_NOTIFY_URL": "public HTTPS URL of /api/v1/payments/webhooks/wechatpay",
}


def wechatpay_settings(env, payment_provider: str, beat_schedule: dict) -> dict:
    """The settings to add; with WeChat Pay chosen, also its daily bill task in the beat."""
    values = {name: env.str(name, default="") for name in WECHATPAY_SETTINGS}
    values.update(
        WECHATPAY_SETTINGS=WECHATPAY_SETTINGS,
        WECHATPAY_API_BASE_URL=env.str("WECHATPAY_API_BASE_URL", default="https://api.mch.weixin.qq.com"),
        WECHATPAY_TRANSFER_SCENE_ID=env.str("WECHATPAY_TRANSFER_SCENE_ID", default=""),  # optional (转账场景ID)
        WECHATPAY_BILL_HOUR=env.int("WECHATPAY_BILL_HOUR", default=11),  # a day's bill is ready ~10:00 next day
    )
    if payment_provider == "wechatpay":
        beat_schedule["wechatpay-bill"] = {
            "task": "payments.tasks.bill_reconcile_task",
            "schedule": crontab(hour=values["WECHATPAY_BILL_HOUR"], minute=0),
        }
        missing = [name for name in WECHATPAY_SETTINGS if not values[name]]
        if missing:
            raise ImproperlyConfigured(
                "PAYMENT_PROVIDER=wechatpay but these are not set: "
                + ", ".join(f"{name} ({WECHATPAY_SETTINGS[name]})" for name in missing)
            )
    return values
