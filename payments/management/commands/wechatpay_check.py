"""Check the WeChat Pay credentials against WeChat Pay itself before the first SME pays: the
configuration and key files (as ``manage.py check``), then one signed read-only call (the
platform certificates' download in certificate mode, and a query of an order number that
cannot exist), whose answer's signature is verified with the platform keys. A wrong merchant
key or serial is refused by WeChat Pay (401 SIGN_ERROR); a wrong platform key or APIv3 key
fails the answer's check."""

from django.core.management.base import BaseCommand, CommandError

from payments.gateways import GatewayError
from payments.gateways.wechatpay.config import WechatPayConfigError, wechatpay_config
from payments.gateways.wechatpay.gateway import WechatPayGateway


class Command(BaseCommand):
    help = "检查微信支付配置：一次签名的只读调用 / Check the WeChat Pay setup with one signed read-only call."

    def handle(self, *args, **options):
        try:
            config = wechatpay_config()
        except WechatPayConfigError as exc:
            raise CommandError(f"微信支付配置不完整 / WeChat Pay is not configured: {exc}") from None
        self.stdout.write(f"商户号 merchant {config.mchid}; API {config.api_base_url}")
        self.stdout.write(
            f"AppID: Native {config.native_appid}, App {config.app_appid}, JSAPI {config.jsapi_appid}, "
            f"转账 transfers {config.transfer_appid}"
        )
        gateway = WechatPayGateway()
        try:
            trusted = gateway.keys_refresh()
            self.stdout.write("验签密钥 verification keys: " + ", ".join(trusted))
            answer = gateway.probe()
        except GatewayError as exc:
            raise CommandError(f"微信支付拒绝或无法验证 / WeChat Pay refused or could not be verified: {exc}") from None
        self.stdout.write(f"签名调用成功 signed call answered and verified ({answer})")
        if config.transfer_api == "bills" and not config.transfer_scene_id:
            self.stdout.write(self.style.WARNING("未设置转账场景 WECHATPAY_TRANSFER_SCENE_ID: payouts will fail"))
        self.stdout.write(self.style.SUCCESS("微信支付配置可用 / WeChat Pay is ready"))
