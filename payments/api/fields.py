"""What each property of payments, wallets and settlements means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

from payments.models import Payment
from payments.settlement_models import SettlementBatch

TIME = " (ISO 8601 with the offset, `+08:00`)"
FIELDS = {
    "PaymentSummary.id": "The payment's id (`POST /payments/{payment_id}/wechatpay/prepay` takes it).",
    "PaymentSummary.status": {
        "description": "`requires_payment` until paid; `succeeded` while the money is held in escrow; then "
        '`partially_refunded`, `refunded` or `failed` (API.md "Status values").',
        "enum": [value for value, _label in Payment.Status.choices],
    },
    "PaymentSummary.amount_fen": "The amount paid (or to pay) into escrow, in fen.",
    "refunded_fen": "How much of it was refunded to the SME, in fen.",
    "escrow_fen": "Held in escrow for the factory's live shares, in fen.",
    "payable_fen": "Earned and not yet paid out (batches under review included), in fen.",
    "in_transit_fen": "In transfers sent to the factory and not yet confirmed paid, in fen.",
    "paid_out_fen": "Paid out to the factory so far, in fen.",
    "Wallet.currency": {"description": "Always `CNY` (the amounts are in fen).", "enum": ["CNY"]},
    "Settlement.id": "The settlement batch's id.",
    "Settlement.factory": "The factory's company id.",
    "factory_name": "The factory's name.",
    "Settlement.status": {
        "description": "`pending_review` until an admin approves (`approved`, then `paying` and `paid`) or "
        "rejects it (`rejected`); `failed` if its payout failed.",
        "enum": [value for value, _label in SettlementBatch.Status.choices],
    },
    "Settlement.total_fen": "The batch's total, the sum of its active lines, in fen.",
    "cutoff": "The batch holds the shares completed before this time" + TIME + ".",
    "Settlement.reason": "Why an admin rejected it; empty otherwise.",
    "Settlement.created_at": "When the batch was built" + TIME + ".",
    "paid_at": "When its last transfer was confirmed paid" + TIME + "; null until then.",
    "lines": "The batch's lines: one per completed share.",
    "SettlementLine.id": "The line's id (`POST /settlement-lines/{line_id}/refresh` takes it).",
    "SettlementLine.assignment": "The id of the completed share the line pays for.",
    "SettlementLine.amount_fen": "What the line pays the factory, in fen.",
    "release_key": "The ledger key of the release from escrow the line pays out.",
    "payout_status": "The line's own transfer: `unsent`, `sending`, `awaiting_confirmation` (the factory confirms "
    "in WeChat), `paid` or `returned` (back in payable).",
    "payout_reference": "The gateway's reference of the transfer; empty before it is sent.",
    "payout_reason": "Why the transfer came back or failed, as the gateway said; empty otherwise.",
    "confirmation": "While `awaiting_confirmation`: what the app passes to WeChat's `requestMerchantTransfer`, "
    "and until when; null otherwise.",
    "RejectInputRequest.reason": "Why the batch is rejected (required; the factory sees it).",
    "channel": "`app` (the factory or SME app's WeChat Pay SDK) or `jsapi` (a page inside WeChat).",
    "openid": "The payer's openid under the JSAPI AppID (required for `jsapi`).",
    "received": "Always true: the gateway's message was taken.",
    "duplicate": "True when the same message had arrived before (nothing happened twice).",
    "payment_id": "The payment's id.",
    "result": "What the sandbox did: `paid` or `declined`.",
    "webhook": "The webhook the sandbox sent, e.g. `payment.succeeded`.",
    "copies": "How many copies of the webhook it sent (2 to test replays).",
    "delay_seconds": "How many seconds late it sent the webhook (to test slow gateways).",
    "balanced": "Whether every check passed.",
    "accounts": "How many ledger accounts were checked.",
    "transactions": "How many ledger transactions were checked.",
    "problems": "Each check that failed, naming its culprit; empty when balanced.",
}
