"""How an SME pays, and where a factory is paid: the checkout of a payment on a channel
(the gateway's page or QR code, the SME app's WeChat SDK, a WeChat page), the payee account
a factory's transfers go to, and the gateway's keys. Provider-neutral: each provider says
what it offers (``NotOffered``)."""

import base64
import io

import segno
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
        raise _gateway_conflict(exc) from None


def _gateway_conflict(exc: GatewayError) -> ConflictError:
    if exc.transient:
        return ConflictError(
            _("The payment gateway cannot be reached now; try again."), code="gateway_unavailable", status_code=503
        )
    return ConflictError(str(exc), code="gateway_refused")


def payment_native_qr(*, payment_id: int, sme_id: int | None) -> dict:
    """The QR code the job's SME scans with WeChat to pay (WeChat Pay's Native channel):
    ``code_url`` (the job's ``pay_url``) and the QR code drawn as an SVG data URL. Only the
    payment's own SME may ask (404 otherwise); 409 when the payment no longer awaits payment,
    when the gateway in use has no QR code (the sandbox's ``pay_url`` is a page), or while
    the payment is being paid in the app or on a WeChat page instead (its QR code is closed).
    Asking again gives the same code while its order lives (WeChat Pay renews it)."""
    payment = Payment.objects.filter(id=payment_id, sme_id=sme_id).first() if sme_id else None
    if payment is None:
        raise NotFoundError(_("No such payment."))
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        raise ConflictError(
            _("This payment is %(status)s; there is no QR code to pay it.")
            % {"status": payment.get_status_display().lower()},
            code="payment_not_payable",
        )
    try:
        checkout = gateway().checkout(PaymentInfo.of(payment), channel=Channel.NATIVE)
    except NotOffered:
        raise ConflictError(
            _("This payment is not paid with a WeChat Pay QR code; follow its pay_url instead."),
            code="not_wechatpay_native",
        ) from None
    except GatewayError as exc:
        raise _gateway_conflict(exc) from None
    if not checkout.url:
        raise ConflictError(
            _("This payment is being paid in the app or on a WeChat page; its QR code was closed."),
            code="wechatpay_qr_closed",
        )
    return {
        "payment_id": payment.id,
        "amount_fen": payment.amount_fen,
        "code_url": checkout.url,
        "qr_svg_data_url": qr_svg_data_url(checkout.url),
        "expires_at": checkout.expires_at,
    }


def qr_svg_data_url(text: str) -> str:
    """``text`` as a QR code (segno; error correction M, the 4-module quiet zone the
    standard asks for), an SVG on white that scales to any size, as a base64 data URL."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", omitsize=True, light="#fff", xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def gateway_keys_refresh() -> list[str]:
    """Download the gateway's keys again (WeChat Pay's platform certificates); the ids of
    the keys now trusted."""
    return gateway().keys_refresh()
