"""WeChat Pay's transfers to factories, the part of ``WechatPayGateway`` that pays out: the
upgraded 商家转账 (``/v3/fund-app/mch-transfer/transfer-bills``, one bill per settlement
line, the payee confirms in WeChat with the bill's ``package_info``; a bill not confirmed
within 24 hours is closed by WeChat Pay), and with ``WECHATPAY_TRANSFER_API=legacy`` the
pre-2025 batch API for merchants who still have it. Never retried under a new number before
the old one is known to have failed: a refusal is followed by a query of the same number."""

from datetime import timedelta

from django.utils.dateparse import parse_datetime

from payments.gateways.interface import (
    Confirmation,
    GatewayError,
    NotOffered,
    TransferRequest,
    TransferState,
    TransferStatus,
)
from payments.gateways.wechatpay import numbers

# WeChat Pay requires the payee's real name on a transfer from ¥2,000.
NAME_REQUIRED_FROM_FEN = 200_000
# A bill not confirmed by the payee is closed by WeChat Pay after 24 hours.
CONFIRM_WITHIN = timedelta(hours=24)
# transfer-bills states (https://pay.weixin.qq.com/doc/v3/merchant/4012716437, 商户单号查询转账单).
BILL_STATES = {
    "ACCEPTED": TransferState.PROCESSING,
    "PROCESSING": TransferState.PROCESSING,
    "WAIT_USER_CONFIRM": TransferState.AWAITING_CONFIRMATION,
    "TRANSFERING": TransferState.AWAITING_CONFIRMATION,  # the payee may confirm again
    "CANCELING": TransferState.PROCESSING,
    "SUCCESS": TransferState.PAID,
    "FAIL": TransferState.RETURNED,
    "CANCELLED": TransferState.RETURNED,
}


def _parse(value):
    return parse_datetime(value) if isinstance(value, str) else None


class TransfersMixin:
    """Needs ``self.config``, ``self.client``, ``self._call`` and ``self._refusal`` (the gateway's)."""

    def transfer(self, request: TransferRequest) -> TransferStatus:
        if request.payee is None:
            raise GatewayError(f"factory {request.factory_id} has no payout account (WeChat openid) set in the admin")
        if request.amount_fen >= NAME_REQUIRED_FROM_FEN and not request.payee.real_name:
            raise GatewayError(f"factory {request.factory_id}: WeChat Pay needs the payee's real name from ¥2,000")
        if self.config.transfer_api == "legacy":
            return self._legacy_transfer(request)
        if not self.config.transfer_scene_id:
            raise GatewayError("WECHATPAY_TRANSFER_SCENE_ID is not set (商家转账 needs a transfer scene)")
        bill_no = numbers.out_bill_no(request.key)
        status, body = self._call(
            "transfer",
            self.client.mch_transfer_bills,
            out_bill_no=bill_no,
            transfer_scene_id=self.config.transfer_scene_id,
            openid=request.payee.account,
            transfer_amount=int(request.amount_fen),
            transfer_remark=request.remark[:32],
            # The SDK encrypts the name with the key named in Wechatpay-Serial.
            user_name=request.payee.real_name or None,
            user_recv_perception=self.config.transfer_perception or None,
            transfer_scene_report_infos=[
                {"info_type": kind, "info_content": content} for kind, content in self.config.transfer_report_infos
            ],
            appid=request.payee.app_id or self.config.transfer_appid,
        )
        if status == 200:
            return self._bill_status(body)
        # Refused or already made under this number: WeChat Pay's book says which. Never
        # retry under a new number before the old one is known to have failed.
        known = self._bill_query(bill_no)
        if known is not None:
            if known.get("transfer_amount", request.amount_fen) != request.amount_fen:
                raise GatewayError(f"transfer number {bill_no} was used for another amount")
            return self._bill_status(known)
        raise self._refusal("transfer", status, body)

    def _bill_query(self, bill_no: str) -> dict | None:
        status, body = self._call("transfer query", self.client.mch_transfer_bills_query, out_bill_no=bill_no)
        if status == 404:
            return None
        if status != 200:
            raise self._refusal("transfer query", status, body)
        return body

    def _bill_status(self, body: dict) -> TransferStatus:
        state = BILL_STATES.get(body.get("state"))
        if state is None:
            raise GatewayError(f"WeChat Pay transfer in an unknown state {body.get('state')!r}", transient=True)
        confirmation = None
        if state == TransferState.AWAITING_CONFIRMATION and body.get("package_info"):
            created = _parse(body.get("create_time"))
            confirmation = Confirmation(
                package_info=str(body["package_info"]),
                mch_id=self.config.mchid,
                app_id=str(body.get("appid") or self.config.transfer_appid),
                confirm_by=(created + CONFIRM_WITHIN) if created else None,
            )
        reason = (
            "" if state != TransferState.RETURNED else f"WeChat Pay: {body.get('state')} {body.get('fail_reason', '')}"
        )
        return TransferStatus(
            state, reference=str(body.get("transfer_bill_no", "")), reason=reason.strip(), confirmation=confirmation
        )

    def transfer_status(self, key: str) -> TransferStatus:
        if self.config.transfer_api == "legacy":
            return self._legacy_status(key)
        known = self._bill_query(numbers.out_bill_no(key))
        return TransferStatus(TransferState.UNKNOWN) if known is None else self._bill_status(known)

    def transfer_cancel(self, key: str) -> TransferStatus:
        """Take back a transfer the payee has not confirmed (CANCELING, then CANCELLED by
        notification or query)."""
        if self.config.transfer_api == "legacy":
            raise NotOffered("the legacy transfer API has no cancel")
        bill_no = numbers.out_bill_no(key)
        status, body = self._call("transfer cancel", self.client.mch_transfer_bills_cancel, out_bill_no=bill_no)
        if status != 200:
            raise self._refusal("transfer cancel", status, body)
        return self._bill_status(body)

    # The pre-2025 batch API (商家转账到零钱): a batch of one transfer per settlement line.
    def _legacy_transfer(self, request: TransferRequest) -> TransferStatus:
        batch_no = numbers.out_bill_no(request.key)
        detail = {
            "out_detail_no": batch_no + "D1",
            "transfer_amount": int(request.amount_fen),
            "transfer_remark": request.remark[:32],
            "openid": request.payee.account,
        }
        if request.payee.real_name and request.amount_fen >= NAME_REQUIRED_FROM_FEN:
            detail["user_name"] = request.payee.real_name  # the SDK encrypts it
        status, body = self._call(
            "transfer",
            self.client.transfer_batch,
            out_batch_no=batch_no,
            batch_name=request.remark[:32],
            batch_remark=request.remark[:32],
            total_amount=int(request.amount_fen),
            total_num=1,
            transfer_detail_list=[detail],
            appid=request.payee.app_id or self.config.transfer_appid,
            transfer_scene_id=self.config.transfer_scene_id or None,
        )
        if status == 200:
            return TransferStatus(TransferState.PROCESSING, reference=str(body.get("batch_id", "")))
        known = self._legacy_query(batch_no)
        if known is not None:
            if known.get("total_amount", request.amount_fen) != request.amount_fen:
                raise GatewayError(f"payout number {batch_no} was used for another amount")
            return self._legacy_batch_status(known)
        raise self._refusal("transfer", status, body)

    def _legacy_query(self, batch_no: str) -> dict | None:
        status, body = self._call("transfer query", self.client.transfer_query_out_batch_no, out_batch_no=batch_no)
        if status == 404:
            return None
        if status != 200:
            raise self._refusal("transfer query", status, body)
        return body.get("transfer_batch") or {}

    @staticmethod
    def _legacy_batch_status(batch: dict) -> TransferStatus:
        reference, state = str(batch.get("batch_id", "")), batch.get("batch_status")
        if state == "FINISHED" and batch.get("success_num") == batch.get("total_num") and not batch.get("fail_num"):
            return TransferStatus(TransferState.PAID, reference=reference)
        if state in ("FINISHED", "CLOSED"):
            reason = f"WeChat Pay: {batch.get('close_reason') or 'the transfer failed'}"
            return TransferStatus(TransferState.RETURNED, reference=reference, reason=reason)
        return TransferStatus(TransferState.PROCESSING, reference=reference)

    def _legacy_status(self, key: str) -> TransferStatus:
        known = self._legacy_query(numbers.out_bill_no(key))
        return TransferStatus(TransferState.UNKNOWN) if known is None else self._legacy_batch_status(known)
