"""Writes that only the WeChat Pay gateway needs: where a factory's payouts go, and the
app's prepay parameters for an SME's payment."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Company
from core.errors import ConflictError, InvalidInputError, NotFoundError
from payments.gateway import GatewayError, gateway
from payments.models import Payment, PayoutAccount

OPENID_MAX = 128


@transaction.atomic
def payout_account_set(*, company_id: int, wechat_openid: str, real_name: str = "") -> PayoutAccount:
    """Set the WeChat openid (and real name) a factory's payouts are transferred to."""
    wechat_openid, real_name = (wechat_openid or "").strip(), (real_name or "").strip()
    if not wechat_openid or len(wechat_openid) > OPENID_MAX or not wechat_openid.isascii():
        raise InvalidInputError(_("Not a WeChat openid."), fields={"wechat_openid": [_("Not a WeChat openid.")]})
    company = Company.objects.filter(id=company_id, kind=Company.Kind.FACTORY).first()
    if company is None:
        raise NotFoundError(_("No such factory."))
    account, _created = PayoutAccount.objects.update_or_create(
        company=company, defaults={"wechat_openid": wechat_openid, "real_name": real_name[:64]}
    )
    return account


def wechatpay_prepay(*, payment_id: int, sme_id: int, channel: str, openid: str = "") -> dict:
    """What the SME's app (``app``) or a WeChat page (``jsapi``, with the payer's openid)
    needs to pay its job's payment. Only the payment's own SME may ask (404 otherwise)."""
    if settings.PAYMENT_PROVIDER != "wechatpay":
        raise NotFoundError(_("WeChat Pay is not enabled."))
    payment = Payment.objects.filter(id=payment_id, sme_id=sme_id).first()
    if payment is None:
        raise NotFoundError(_("No such payment."))
    if channel == "jsapi" and not openid:
        raise InvalidInputError(_("A JSAPI payment needs the payer's openid."), fields={"openid": [_("Required.")]})
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        raise ConflictError(_("This payment is %(status)s.") % {"status": payment.status}, code="payment_not_payable")
    try:
        return gateway().prepay(payment, channel=channel, openid=openid)
    except GatewayError as exc:
        if exc.transient:
            raise ConflictError(
                _("WeChat Pay cannot be reached now; try again."), code="gateway_unavailable", status_code=503
            ) from None
        raise ConflictError(str(exc), code="gateway_refused") from None
