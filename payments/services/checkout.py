"""How an SME pays, and where a factory is paid: the checkout of a payment on a channel
(the gateway's page or QR code, the SME app's WeChat SDK, a WeChat page), the payee account
a factory's transfers go to, and the gateway's keys. Provider-neutral: each provider says
what it offers (``NotOffered``)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Company
from core.errors import ConflictError, InvalidInputError, NotFoundError
from payments.gateways import Channel, Checkout, GatewayError, NotOffered, PaymentInfo, gateway
from payments.models import Payment, PayoutAccount

OPENID_MAX = 128


@transaction.atomic
def payout_account_set(
    *, company_id: int, wechat_openid: str, real_name: str = "", wechat_appid: str = ""
) -> PayoutAccount:
    """Set the WeChat openid (and real name, and the AppID it was issued under) a factory's
    payouts are transferred to."""
    wechat_openid, real_name = (wechat_openid or "").strip(), (real_name or "").strip()
    wechat_appid = (wechat_appid or "").strip()
    if not wechat_openid or len(wechat_openid) > OPENID_MAX or not wechat_openid.isascii():
        raise InvalidInputError(_("Not a WeChat openid."), fields={"wechat_openid": [_("Not a WeChat openid.")]})
    if len(wechat_appid) > 32 or not wechat_appid.isascii():
        raise InvalidInputError(_("Not a WeChat AppID."), fields={"wechat_appid": [_("Not a WeChat AppID.")]})
    company = Company.objects.filter(id=company_id, kind=Company.Kind.FACTORY).first()
    if company is None:
        raise NotFoundError(_("No such factory."))
    account, _created = PayoutAccount.objects.update_or_create(
        company=company,
        defaults={"wechat_openid": wechat_openid, "real_name": real_name[:64], "wechat_appid": wechat_appid},
    )
    return account


def payment_checkout(*, payment_id: int, sme_id: int, channel: str, payer: str = "") -> Checkout:
    """What the SME's app (``app``) or a WeChat page (``jsapi``, with the payer's openid)
    needs to pay its job's payment. Only the payment's own SME may ask (404 otherwise); a
    channel the gateway does not offer is 404 too."""
    payment = Payment.objects.filter(id=payment_id, sme_id=sme_id).first()
    if payment is None:
        raise NotFoundError(_("No such payment."))
    if channel == Channel.JSAPI and not payer:
        raise InvalidInputError(_("A JSAPI payment needs the payer's openid."), fields={"openid": [_("Required.")]})
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        raise ConflictError(
            _("This payment is %(status)s.") % {"status": payment.get_status_display().lower()},
            code="payment_not_payable",
        )
    try:
        return gateway().checkout(PaymentInfo.of(payment), channel=Channel(channel), payer=payer)
    except NotOffered:
        raise NotFoundError(_("The payment gateway in use does not offer this channel.")) from None
    except GatewayError as exc:
        if exc.transient:
            raise ConflictError(
                _("The payment gateway cannot be reached now; try again."), code="gateway_unavailable", status_code=503
            ) from None
        raise ConflictError(str(exc), code="gateway_refused") from None


def gateway_keys_refresh() -> list[str]:
    """Download the gateway's keys again (WeChat Pay's platform certificates); the ids of
    the keys now trusted."""
    return gateway().keys_refresh()
