"""What the schema says of each payments and settlement operation (``core.api.schema.operation``)."""

from core.api.schema import error_example, operation

BATCH = {
    "id": 31,
    "factory": 5,
    "factory_name": "Hongda Shared Sewing",
    "status": "pending_review",
    "total_fen": 28358,
    "cutoff": "2026-06-12T00:00:00+08:00",
    "reason": "",
    "created_at": "2026-06-12T02:00:04+08:00",
    "paid_at": None,
    "lines": [
        {
            "id": 57,
            "assignment": 42,
            "amount_fen": 28358,
            "release_key": "release:assignment:42",
            "active": True,
            "payout_status": "unsent",
            "payout_reference": "",
            "payout_reason": "",
            "confirmation": None,
        }
    ],
}
AWAITING_LINE = {
    **BATCH["lines"][0],
    "payout_status": "awaiting_confirmation",
    "payout_reference": "1330000071100999991182020050700019480001",
    "confirmation": {
        "package_info": "affffddafdfafddffda==",
        "mch_id": "1900000109",
        "app_id": "wxd678efh567hg6787",
        "confirm_by": "2026-06-13T09:15:30+08:00",
    },
}
NO_BATCH = error_example(404, "not_found", "No such settlement batch.")

webhook = operation(
    "Payment gateway webhook",
    "Called by the payment gateway, not by the apps. Verifies `X-Signature: sha256=<hex "
    "HMAC-SHA256 of the raw body>` keyed by `PAYMENT_WEBHOOK_SECRET` and the event's `created` "
    "time (at most 5 minutes off), stores the event once under its provider event id and "
    "answers 200 at once; a worker processes it after commit (`payment.succeeded` opens the "
    "job, `payout.paid` books a line's transfer as paid). A replay answers 200 with `duplicate: true` "
    "and has no second effect.",
    request={
        "id": "evt_3b9f0c4d2a1e4f6a8b7c5d9e0f1a2b3c",
        "type": "payment.succeeded",
        "created": 1781060400,
        "data": {"payment_id": 23, "charge_id": "charge_8f2a61c04be9d317"},
    },
    response={"received": True, "duplicate": False},
    errors=(error_example(400, "invalid_signature", "The webhook signature does not match."),),
)

sandbox_pay = operation(
    "Pay at the sandbox gateway",
    "Whoever holds the payment's `pay_url` (sandbox gateway only; the token in the path is the "
    "payer's key, a wrong one is 404). While the payment `requires_payment`, charges it (or "
    "declines with `?fail=1`); the payment and the job change only when the gateway's signed "
    "webhook arrives a moment later. `GET` on the same URL is the HTML pay page. With `DEBUG` "
    "or `SANDBOX_TEST_KNOBS`, `?duplicate=1` delivers the webhook twice and `?delay=N` N "
    "seconds late.",
    response={"payment_id": 23, "result": "paid", "webhook": "payment.succeeded", "copies": 1, "delay_seconds": 0},
    errors=(error_example(409, "payment_not_payable", "This payment is succeeded (in escrow)."),),
)

ledger_check = operation(
    "Check the ledger",
    "For platform admins: verifies every ledger invariant (every transaction balances, cached "
    "balances equal their legs, nothing that must not be negative is, no finished job still "
    "holds escrow), as `manage.py check_ledger` does. `problems` names each culprit. Changes "
    "nothing.",
    response={"balanced": True, "accounts": 64, "transactions": 212, "problems": []},
)

settlement_list = operation(
    "My settlement batches",
    "For a factory: its settlement batches, newest first, paginated, each with its lines "
    "(one per completed assignment, the amount released to its payable). Each line is paid by its "
    "own transfer (`payout_status`: `unsent`, `sending`, `awaiting_confirmation`, `paid`, "
    "`returned`). While a line is `awaiting_confirmation` (WeChat Pay's 商家转账), `confirmation` "
    "carries what the app passes to WeChat's `requestMerchantTransfer` (mchId, appId, package) "
    "before `confirm_by`; a line not confirmed in time, refused or cancelled is `returned`: its "
    "amount is back in payable and goes into the next day's batch. `?status=` keeps one status.",
    response={**BATCH, "status": "paying", "lines": [AWAITING_LINE]},
    errors=(error_example(400, "invalid", "Unknown status.", {"status": ["Unknown value."]}),),
)

admin_settlement_list = operation(
    "All settlement batches",
    "For platform admins: every factory's batches, newest first, paginated; "
    "`?status=pending_review` is the review queue.",
    response=BATCH,
    errors=(error_example(400, "invalid", "Unknown status.", {"status": ["Unknown value."]}),),
)

approve = operation(
    "Approve a settlement batch",
    "For platform admins, while the batch is `pending_review`; not the admin who built or last "
    "changed it (403 `four_eyes`). Re-checks the total against the ledger (409 "
    "`batch_ledger_mismatch`), moves the batch to `approved` and queues its payout: one transfer "
    "per line (payable -> in transit, then paid out when the gateway pays it, or back to payable "
    "when it comes back). Approval itself moves no money; approving a batch already approved, "
    "paying or paid is a harmless 200.",
    response={**BATCH, "status": "approved"},
    errors=(
        NO_BATCH,
        error_example(403, "four_eyes", "Four eyes: the account that built or last changed a batch cannot approve it."),
        error_example(
            409,
            "batch_not_pending_review",
            "The batch is rejected; this needs it to be pending review.",
            {"status": ["rejected"]},
        ),
    ),
)

reject = operation(
    "Reject a settlement batch",
    "For platform admins, while the batch is `pending_review`: `rejected`, with the reason in its "
    "audit trail; its lines return to the pool and go into the next batch. Moves no money; "
    "rejecting it again is a harmless 200.",
    request={"reason": "Line for assignment 42 is under dispute with the SME."},
    response={**BATCH, "status": "rejected", "reason": "Line for assignment 42 is under dispute with the SME."},
    errors=(
        NO_BATCH,
        error_example(400, "invalid", "Say why the batch is rejected.", {"reason": ["Required."]}),
        error_example(
            409,
            "batch_not_pending_review",
            "The batch is paid; this needs it to be pending review.",
            {"status": ["paid"]},
        ),
    ),
)

wechatpay_prepay = operation(
    "WeChat Pay prepay parameters",
    "The job's SME only (another company's payment is 404; 404 too when the gateway in use does not "
    "offer the channel, as the sandbox does not): the parameters its app (`channel: app`) or a "
    "WeChat page (`channel: jsapi`, with the payer's `openid`) passes to WeChat Pay to pay the job's "
    "payment in fen, each channel under its own AppID. Needs the payment to be "
    "`requires_payment` (409 `payment_not_payable` otherwise); asking closes the job's QR-code order "
    "(its `pay_url`) so the payment cannot be paid twice. Nothing is booked here: the money moves when "
    "WeChat Pay's signed notification arrives.",
    request={"channel": "app"},
    response={
        "appid": "wx8888888888888888",
        "partnerid": "1900000109",
        "prepayid": "wx201410272009395522657a690389285100",
        "package": "Sign=WXPay",
        "noncestr": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        "timestamp": "1749434400",
        "sign": "oR9d8PuhnIc+YZ8cBHFCwfgpaK9gd7vaRvkYD7rthRAZ...",
    },
    errors=(
        error_example(409, "payment_not_payable", "This payment is refunded."),
        error_example(400, "invalid", "A JSAPI payment needs the payer's openid.", {"openid": ["Required."]}),
    ),
)

wechatpay_qr = operation(
    "WeChat Pay QR code",
    "The job's SME only (anyone else, a factory too, is 404): the QR code to scan with WeChat to "
    "pay the job's payment through WeChat Pay's Native channel (a POST, like the prepay: asking may "
    "open or renew the order at WeChat Pay; it takes no body). `code_url` is the job's `pay_url` "
    "(`weixin://wxpay/bizpayurl?pr=…`); `qr_svg_data_url` is that code drawn as an SVG data URL "
    "(`data:image/svg+xml;base64,…`) an `<img>` shows as it is. Asking again gives the same code "
    "while its order lives (until `expires_at`; a new one after). 409 `payment_not_payable` once "
    "the payment no longer `requires_payment`; 409 `not_wechatpay_native` when the gateway in use "
    "has no QR code (the sandbox's `pay_url` is a page); 409 `wechatpay_qr_closed` while the "
    "payment is being paid in the app or on a WeChat page instead. The job opens when WeChat "
    "Pay's notification arrives (`job.status_changed` on the event stream).",
    response={
        "payment_id": 23,
        "amount_fen": 15000,
        "code_url": "weixin://wxpay/bizpayurl?pr=qnu8GBtzz",
        "qr_svg_data_url": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9"
        "IjAgMCAzMyAzMyIgY2xhc3M9InNlZ25vIj4uLi48L3N2Zz4=",
        "expires_at": "2026-06-09T12:00:00+08:00",
    },
    errors=(
        error_example(404, "not_found", "No such payment."),
        error_example(
            409,
            "not_wechatpay_native",
            "This payment is not paid with a WeChat Pay QR code; follow its pay_url instead.",
        ),
    ),
)

payout_refresh = operation(
    "Check a transfer now",
    "For the factory whose batch holds the line (another factory's line is 404). Call it when the "
    "payee has just confirmed the transfer in WeChat (`requestMerchantTransfer` returned): the "
    "gateway is asked now, instead of waiting for its notification, and what it says is booked "
    "(`paid`, or `returned` to payable). Answers the line; a line no longer open is answered as it is.",
    response={
        **BATCH["lines"][0],
        "payout_status": "paid",
        "payout_reference": "1330000071100999991182020050700019480001",
    },
    errors=(error_example(404, "not_found", "No such settlement line."),),
)
