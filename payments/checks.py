"""Start-up checks of the payments app: with PAYMENT_PROVIDER=wechatpay the settings must
be complete (``marketplace.settings`` refuses to load otherwise) and the key files usable by
the SDK. Errors name the variable, never its value. ``manage.py wechatpay_check`` goes one
step further and makes a signed call."""

from django.conf import settings
from django.core.checks import Error, register


@register("payments", deploy=False)
def wechatpay_configured(app_configs=None, **kwargs):
    if settings.PAYMENT_PROVIDER != "wechatpay":
        return []
    from payments.gateways.wechatpay.config import WechatPayConfigError, wechatpay_config

    try:
        wechatpay_config()
    except WechatPayConfigError as exc:
        return [Error(f"WeChat Pay is not configured: {exc}", id="payments.E001")]
    return []
