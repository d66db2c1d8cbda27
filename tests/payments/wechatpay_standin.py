"""A stand-in for the WeChat Pay API v3, on 127.0.0.1, for the adapter's tests.

It speaks the protocol the real one does, so the real ``wechatpayv3`` SDK talks to it
unchanged, and each behaviour follows WeChat Pay's published documents (cited where it is
implemented), not the adapter's code:

- Requests: every ``Authorization`` (WECHATPAY2-SHA256-RSA2048 over method, path, timestamp,
  nonce and body) is verified with the merchant's public key; a wrong one is 401 SIGN_ERROR
  (签名: https://pay.weixin.qq.com/wiki/doc/apiv3_partner/wechatpay/wechatpay3_3.shtml).
- Answers and callbacks are signed over ``timestamp\\nnonce\\nbody\\n`` by a platform key that
  ``Wechatpay-Serial`` names (签名验证: https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml):
  the WeChat Pay public key (微信支付公钥, ``PUB_KEY_ID_...``) or a platform certificate.
  While a merchant switches from certificates to the public key, an answer is signed with
  the public key only when the request names it in ``Wechatpay-Serial`` and the switch is on,
  and callbacks are signed by either, in a share WeChat Pay raises day by day
  ("如何从平台证书切换成微信支付公钥",
  https://pay.weixin.qq.com/docs/partner/products/platform-certificate/update-pub-key.html).
  Platform certificates are listed, encrypted with the APIv3 key, at ``GET /v3/certificates``.
- Orders (Native, App, JSAPI) carry an AppID bound to the merchant, of the kind the channel
  needs (an Open Platform mobile app for App, a mini program or official account for
  JSAPI), and a ``time_expire`` after which they cannot be paid; a closed order number
  cannot be ordered again (ORDER_CLOSED), a paid one cannot be closed (ORDERPAID).
- Refunds and the legacy transfer batches as before; the legacy batch API
  (``/v3/transfer/batches``) answers 403 NO_AUTH to a merchant who enabled 商家转账 after
  2025-01-15 ("当前商户号接入升级版本功能，暂不支持使用升级前功能"), unless
  ``legacy_transfers`` is set.
- 商家转账 (transfer-bills, https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/transfer-to-user.html):
  a bill is created WAIT_USER_CONFIRM with a ``package_info`` the payee confirms in WeChat;
  then SUCCESS, or FAIL (a refused confirmation, or not confirmed within 24 hours); the
  merchant may cancel before confirmation (CANCELING, then CANCELLED,
  https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/cancel-transfer.html);
  each final state is notified as MCHTRANSFER.BILL.FINISHED
  (https://pay.weixin.qq.com/docs/merchant/apis/batch-transfer-to-balance/callback-notice.html).
  A scene's report infos are required (商家转账开发指引 §"按转账场景报备背景信息",
  https://pay.weixin.qq.com/doc/v3/merchant/4012711988). The fail reason WeChat Pay gives a
  bill closed unconfirmed is not in the documents we have; the stand-in gives none.
- The daily trade bill is gzipped, and its ``hash_value`` is the SHA1 of the *uncompressed*
  bill ("原始账单（gzip需要解压缩）的摘要值", 申请交易账单,
  https://pay.weixin.qq.com/doc/v3/merchant/4012556654).

It keeps its own book of orders, refunds and transfers, idempotent by the merchant's
numbers, and counts the money it really moved, so a test can tell one movement from two.
"""

import base64
import gzip
import hashlib
import json
import random
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

AUTH = re.compile(r"WECHATPAY2-SHA256-RSA2048 (.*)")
BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)
LEGACY_REFUSED = "当前商户号接入升级版本功能，暂不支持使用升级前功能，请在产品中心-商家转账-前往功能查看接口文档"
BILL_OPEN = ("ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING")
CONFIRM_WITHIN = timedelta(hours=24)


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pkcs1_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def public_pem(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def rsa_sign(key, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def platform_certificate(key, *, valid_from=None, years=5) -> x509.Certificate:
    """A platform certificate as WeChat Pay issues one (self-signed here)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )


class Signer:
    """A key WeChat Pay signs with, named by ``serial`` in ``Wechatpay-Serial``."""

    def __init__(self, key, serial: str, certificate: x509.Certificate | None = None):
        self.key, self.serial, self.certificate = key, serial, certificate

    @classmethod
    def public_key(cls, key, key_id: str) -> "Signer":
        return cls(key, key_id)

    @classmethod
    def with_certificate(cls, key, **options) -> "Signer":
        certificate = platform_certificate(key, **options)
        return cls(key, format(certificate.serial_number, "X"), certificate)


class WechatPayStandIn:
    def __init__(
        self,
        *,
        mchid,
        appids,
        apiv3_key,
        merchant_key,
        merchant_serial,
        public_key=None,
        certificates=(),
        public_key_enabled=None,
        callback_public_key_share=None,
        scenes=None,
        openids=None,
        legacy_transfers=False,
    ):
        self.mchid, self.apiv3_key = mchid, apiv3_key
        # appid -> "app" (Open Platform mobile app) or "mp" (mini program / official account)
        self.appids = dict(appids)
        self.merchant_public_key = merchant_key.public_key()
        self.merchant_serial = merchant_serial
        self.public_key = public_key  # a Signer, or None for a merchant on certificates only
        self.certificates = list(certificates)  # Signers with certificates, newest last
        self.public_key_enabled = (public_key is not None) if public_key_enabled is None else public_key_enabled
        # The share of callbacks signed with the public key (1.0 once the switch is done).
        if callback_public_key_share is None:
            callback_public_key_share = 1.0 if public_key is not None and self.public_key_enabled else 0.0
        self.callback_public_key_share = callback_public_key_share
        self.random = random.Random(7)  # noqa: S311 - which key signs a callback, not security
        self.scenes = scenes if scenes is not None else {"1005": ("岗位类型", "报酬说明")}
        self.openids = dict(openids or {})  # openid -> the appid it was issued under (unchecked if absent)
        self.legacy_transfers = legacy_transfers
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.batches: dict[str, dict] = {}
        self.bills: dict[str, dict] = {}  # transfer bills by out_bill_no
        self.refunds_made: list[str] = []  # money that really went back, one entry per refund
        self.transfers_made: list[str] = []  # money that really went out, one entry per transfer
        self.requests: list[tuple[str, str]] = []
        self.request_bodies: list[tuple[str, dict]] = []
        self.refused: list[str] = []  # requests whose signature did not verify
        self.trade_bills: dict[str, bytes] = {}
        self.trade_bill_hashes: dict[str, str] = {}
        self.refund_status = "PROCESSING"
        self.fail_next: int = 0  # answer the next N calls with 500 SYSTEM_ERROR
        self.offset = 0.0  # seconds the stand-in's clock is ahead of the real one
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- time and keys ------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def stamp(self) -> str:
        return self.now().astimezone().isoformat(timespec="seconds")

    def advance(self, **delta) -> list[tuple[bytes, dict]]:
        """Let time pass at WeChat Pay; returns the notifications it sends meanwhile (bills
        closed because their payee did not confirm within 24 hours)."""
        self.offset += timedelta(**delta).total_seconds()
        sent = []
        with self.lock:
            for bill in self.bills.values():
                if bill["state"] == "WAIT_USER_CONFIRM" and self.now() - bill["created"] > CONFIRM_WITHIN:
                    bill.update(state="FAIL", fail_reason="")
                    sent.append(self.notification("MCHTRANSFER.BILL.FINISHED", self._bill(bill)))
        return sent

    def _answer_signer(self, named: str) -> Signer:
        """An answer is signed with the public key when the request named it and the merchant
        turned the public key on; otherwise with the newest platform certificate."""
        if self.public_key is not None and (
            not self.certificates or (named == self.public_key.serial and self.public_key_enabled)
        ):
            return self.public_key
        return self.certificates[-1]

    def _callback_signer(self) -> Signer:
        if self.public_key is not None and (
            not self.certificates or self.random.random() < self.callback_public_key_share
        ):
            return self.public_key
        return self.certificates[-1]

    def _encrypt(self, plain: bytes, associated: str) -> dict:
        nonce = secrets.token_urlsafe(9)[:12]
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), plain, associated.encode())
        return {"nonce": nonce, "associated_data": associated, "ciphertext": base64.b64encode(ciphertext).decode()}

    def _decrypt_sensitive(self, named: str, ciphertext: str) -> str:
        """A field the SDK encrypted (RSA-OAEP) with the key it named in Wechatpay-Serial."""
        signer = next((s for s in [self.public_key, *self.certificates] if s and s.serial == named), None)
        if signer is None:
            raise ValueError("the Wechatpay-Serial names no key of ours")
        label = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
        return signer.key.decrypt(base64.b64decode(ciphertext), label).decode()

    # --- what WeChat Pay does outside the API: the payer pays, the payee confirms ---------------

    def pay(self, out_trade_no: str, *, total: int | None = None, currency: str = "CNY") -> dict:
        """The payer pays the order (scans the QR code, confirms in the app)."""
        with self.lock:
            order = self.orders[out_trade_no]
            if order["trade_state"] != "NOTPAY" or self.now() >= order["expires"]:
                raise AssertionError(f"order {out_trade_no} cannot be paid: {order['trade_state']}, expired or closed")
            order.update(trade_state="SUCCESS", transaction_id=f"42000{secrets.randbelow(10**20):020d}")
            order["success_time"] = self.stamp()
            if total is not None:
                order["amount"] = total
            order["currency"] = currency
            return self._transaction(order)

    def confirm(self, out_bill_no: str, *, ok: bool = True, reason: str = "") -> tuple[bytes, dict]:
        """The payee confirms the transfer in WeChat (or the confirmation fails, e.g. the
        real name does not match); returns the notification WeChat Pay sends."""
        with self.lock:
            bill = self.bills[out_bill_no]
            if bill["state"] not in ("WAIT_USER_CONFIRM", "TRANSFERING"):
                raise AssertionError(f"bill {out_bill_no} is {bill['state']}: nothing to confirm")
            if ok:
                bill["state"] = "SUCCESS"
                self.transfers_made.append(out_bill_no)
            else:
                bill.update(state="FAIL", fail_reason=reason)
            return self.notification("MCHTRANSFER.BILL.FINISHED", self._bill(bill))

    def finish_cancels(self) -> list[tuple[bytes, dict]]:
        """The cancels WeChat Pay accepted are done (CANCELING -> CANCELLED), notified."""
        sent = []
        with self.lock:
            for bill in self.bills.values():
                if bill["state"] == "CANCELING":
                    bill["state"] = "CANCELLED"
                    sent.append(self.notification("MCHTRANSFER.BILL.FINISHED", self._bill(bill)))
        return sent

    def finish_transfer(self, out_batch_no: str, *, ok: bool = True) -> dict:
        """A legacy transfer batch finishes."""
        with self.lock:
            batch = self.batches[out_batch_no]
            batch.update(batch_status="FINISHED", success_num=1 if ok else 0, fail_num=0 if ok else 1)
            if ok:
                self.transfers_made.append(out_batch_no)
            return self._batch_resource(batch)

    def refund_resource(self, out_refund_no: str, status: str = "SUCCESS") -> dict:
        with self.lock:
            refund = self.refunds[out_refund_no]
            refund["status"] = status
            return {
                "mchid": self.mchid,
                "out_trade_no": refund["out_trade_no"],
                "transaction_id": refund["transaction_id"],
                "out_refund_no": out_refund_no,
                "refund_id": refund["refund_id"],
                "refund_status": status,
                "success_time": self.stamp(),
                "user_received_account": "招商银行信用卡0403",
                "amount": {
                    "total": refund["total"],
                    "refund": refund["refund"],
                    "payer_total": refund["total"],
                    "payer_refund": refund["refund"],
                },
            }

    def notification(
        self,
        event_type: str,
        resource: dict,
        *,
        notification_id=None,
        timestamp=None,
        serial=None,
        key=None,
        signer=None,
        apiv3_key=None,
    ):
        """(raw body, headers) of a callback exactly as WeChat Pay sends one."""
        associated = {"TRANSACTION": "transaction", "REFUND": "refund"}.get(event_type.split(".")[0], "mch_payment")
        plain = json.dumps(resource, ensure_ascii=False).encode()
        nonce = secrets.token_urlsafe(9)[:12]
        aes = AESGCM((apiv3_key or self.apiv3_key).encode())
        ciphertext = base64.b64encode(aes.encrypt(nonce.encode(), plain, associated.encode())).decode()
        body = json.dumps(
            {
                "id": notification_id or str(uuid.uuid4()),
                "create_time": self.stamp(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": "支付成功" if event_type.startswith("TRANSACTION") else "通知",
                "resource": {
                    "original_type": associated,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": ciphertext,
                    "associated_data": associated,
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        signer = signer or self._callback_signer()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        sign_nonce = secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": sign_nonce,
            "Wechatpay-Serial": serial or signer.serial,
            "Wechatpay-Signature": rsa_sign(key or signer.key, f"{stamp}\n{sign_nonce}\n{body.decode()}\n"),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return body, headers

    def add_bill(self, bill_date: str, lines: list[str], *, hash_value: str | None = None):
        """The day's trade bill from trade lines (``bill_line``); its hash is the SHA1 of
        the uncompressed file, as WeChat Pay gives it (``hash_value`` overrides it)."""
        text = BILL_HEADER + "\r\n" + "".join(line + "\r\n" for line in lines)
        text += "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
        text += f"`{len(lines)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00\r\n"
        raw = ("\ufeff" + text).encode()
        self.trade_bills[bill_date] = gzip.compress(raw)
        self.trade_bill_hashes[bill_date] = hash_value or hashlib.sha1(raw).hexdigest()  # noqa: S324

    def bill_line(
        self, *, out_trade_no, transaction_id, total, state="SUCCESS", out_refund_no="", refund_id="", refund=0
    ) -> str:
        fields = [
            "2026-12-01 10:00:00",
            next(iter(self.appids)),
            self.mchid,
            "0",
            "",
            transaction_id,
            out_trade_no,
            "oUser",
            "NATIVE",
            state,
            "OTHERS",
            "CNY",
            yuan(total),
            "0.00",
            refund_id,
            out_refund_no,
            yuan(refund),
            "0.00",
            "ORIGINAL" if refund else "",
            "SUCCESS" if refund else "",
            "Job",
            "",
            "0.00",
            "0.60%",
            yuan(total),
            yuan(refund),
            "",
        ]
        return ",".join("`" + str(field) for field in fields)

    # --- the API's resources ------------------------------------------------------------------

    def _transaction(self, order):
        return {
            "appid": order["appid"],
            "mchid": self.mchid,
            "out_trade_no": order["out_trade_no"],
            "transaction_id": order.get("transaction_id", ""),
            "trade_type": order["trade_type"],
            "trade_state": order["trade_state"],
            "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭"}.get(
                order["trade_state"], ""
            ),
            "bank_type": "OTHERS",
            "success_time": order.get("success_time", ""),
            "payer": {"openid": "oUser"},
            "amount": {
                "total": order["amount"],
                "payer_total": order["amount"],
                "currency": order.get("currency", "CNY"),
                "payer_currency": order.get("currency", "CNY"),
            },
        }

    def _bill(self, bill, *, full=True):
        answer = {
            "out_bill_no": bill["out_bill_no"],
            "transfer_bill_no": bill["transfer_bill_no"],
            "create_time": bill["create_time"],
            "state": bill["state"],
        }
        if bill["state"] == "WAIT_USER_CONFIRM":
            answer["package_info"] = bill["package_info"]
        if full:
            answer.update(
                mch_id=self.mchid,
                appid=bill["appid"],
                transfer_amount=bill["transfer_amount"],
                transfer_remark=bill["transfer_remark"],
                openid=bill["openid"],
                update_time=self.stamp(),
            )
            if bill["state"] == "FAIL":
                answer["fail_reason"] = bill.get("fail_reason", "")
        return answer

    def _batch_resource(self, batch):
        return {
            "mchid": self.mchid,
            "out_batch_no": batch["out_batch_no"],
            "batch_id": batch["batch_id"],
            "batch_status": batch["batch_status"],
            "total_num": 1,
            "total_amount": batch["total_amount"],
            "success_amount": batch["total_amount"] if batch.get("success_num") else 0,
            "success_num": batch.get("success_num", 0),
            "fail_amount": batch["total_amount"] if batch.get("fail_num") else 0,
            "fail_num": batch.get("fail_num", 0),
            "update_time": self.stamp(),
        }

    def _refund(self, refund):
        return {
            "refund_id": refund["refund_id"],
            "out_refund_no": refund["out_refund_no"],
            "transaction_id": refund["transaction_id"],
            "out_trade_no": refund["out_trade_no"],
            "channel": "ORIGINAL",
            "status": refund["status"],
            "create_time": self.stamp(),
            "amount": {"total": refund["total"], "refund": refund["refund"], "currency": "CNY"},
        }

    def _certificates(self):
        listed = []
        for signer in self.certificates:
            pem = signer.certificate.public_bytes(serialization.Encoding.PEM)
            listed.append(
                {
                    "serial_no": signer.serial,
                    "effective_time": signer.certificate.not_valid_before_utc.astimezone().isoformat(),
                    "expire_time": signer.certificate.not_valid_after_utc.astimezone().isoformat(),
                    "encrypt_certificate": {"algorithm": "AEAD_AES_256_GCM", **self._encrypt(pem, "certificate")},
                }
            )
        return {"data": listed}

    def _verify(self, method, path, headers, body: str) -> bool:
        match = AUTH.fullmatch(headers.get("Authorization", ""))
        if match is None:
            return False
        parts = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if parts.get("mchid") != self.mchid or parts.get("serial_no") != self.merchant_serial:
            return False
        if abs(time.time() - int(parts.get("timestamp", "0"))) > 300:
            return False
        message = f"{method}\n{path}\n{parts['timestamp']}\n{parts['nonce_str']}\n{body}\n".encode()
        try:
            self.merchant_public_key.verify(
                base64.b64decode(parts.get("signature", "")), message, padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    # --- the API ------------------------------------------------------------------------------

    def _order(self, kind: str, data: dict):
        appid = data.get("appid")
        if data.get("mchid") != self.mchid or not data.get("notify_url"):
            return 400, {"code": "PARAM_ERROR", "message": "mchid, notify_url"}
        if appid not in self.appids:
            return 400, {"code": "APPID_MCHID_NOT_MATCH", "message": "AppID和mch_id不匹配"}
        if (kind == "app") != (self.appids[appid] == "app"):
            return 400, {"code": "PARAM_ERROR", "message": f"appid的类型与{kind.upper()}支付不匹配"}
        total = data["amount"]["total"]
        if not isinstance(total, int) or total <= 0:
            return 400, {"code": "PARAM_ERROR", "message": "amount.total"}
        expires = self.now() + timedelta(hours=2)
        if data.get("time_expire"):
            expires = datetime.fromisoformat(data["time_expire"])
        order = self.orders.get(data["out_trade_no"])
        if order is not None:
            if order["trade_state"] == "CLOSED":
                return 400, {"code": "ORDER_CLOSED", "message": "订单已关闭"}
            if order["amount"] != total or order["trade_type"] != kind.upper() or order["appid"] != appid:
                return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
        else:
            openid = (data.get("payer") or {}).get("openid")
            if kind == "jsapi" and openid in self.openids and self.openids[openid] != appid:
                return 400, {"code": "PARAM_ERROR", "message": "openid和appid不匹配"}
            order = self.orders[data["out_trade_no"]] = {
                "out_trade_no": data["out_trade_no"],
                "appid": appid,
                "amount": total,
                "trade_type": kind.upper(),
                "trade_state": "NOTPAY",
                "expires": expires,
                "time_expire": data.get("time_expire", ""),
                "code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}",
                "prepay_id": f"wx{secrets.token_hex(14)}",
                "payer": data.get("payer"),
            }
        if kind == "native":
            return 200, {"code_url": order["code_url"]}
        if kind == "jsapi" and not (order.get("payer") or {}).get("openid"):
            return 400, {"code": "PARAM_ERROR", "message": "payer.openid"}
        return 200, {"prepay_id": order["prepay_id"]}

    def _transfer_bill(self, data: dict, named: str):
        scene = self.scenes.get(data.get("transfer_scene_id"))
        if scene is None:
            return 400, {"code": "PARAM_ERROR", "message": "转账场景ID不存在或未开通"}
        reported = {info.get("info_type") for info in data.get("transfer_scene_report_infos") or []}
        if not set(scene) <= reported:
            return 400, {"code": "PARAM_ERROR", "message": f"该场景需报备 {'、'.join(scene)}"}
        if data.get("appid") not in self.appids:
            return 400, {"code": "APPID_MCHID_NOT_MATCH", "message": "AppID和mch_id不匹配"}
        openid = data.get("openid")
        if openid in self.openids and self.openids[openid] != data["appid"]:
            return 400, {"code": "PARAM_ERROR", "message": "openid和appid不匹配"}
        if not re.fullmatch(r"[A-Za-z0-9]{1,32}", data.get("out_bill_no", "")):
            return 400, {"code": "PARAM_ERROR", "message": "out_bill_no"}
        amount = data.get("transfer_amount")
        if not isinstance(amount, int) or amount < 10:
            return 400, {"code": "PARAM_ERROR", "message": "transfer_amount"}
        if amount >= 200_000:
            if not data.get("user_name"):
                return 400, {"code": "PARAM_ERROR", "message": "转账金额>=2000元时，收款用户姓名必填"}
            self._decrypt_sensitive(named, data["user_name"])
        if data["out_bill_no"] in self.bills:
            # How WeChat Pay answers a number used before is not in the documents we have,
            # beyond "do not change the number; query it" (发起转账): a refusal here.
            return 400, {"code": "INVALID_REQUEST", "message": "商户单号重复"}
        bill = self.bills[data["out_bill_no"]] = {
            "out_bill_no": data["out_bill_no"],
            "transfer_bill_no": f"13300000711{secrets.randbelow(10**29):029d}",
            "created": self.now(),
            "create_time": self.stamp(),
            "state": "WAIT_USER_CONFIRM",
            "package_info": base64.b64encode(secrets.token_bytes(48)).decode(),
            "appid": data["appid"],
            "openid": openid,
            "transfer_amount": amount,
            "transfer_remark": data.get("transfer_remark", ""),
        }
        return 200, self._bill(bill, full=False)

    def _route(self, method, path, data, named):  # noqa: C901 - one table of the endpoints
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = url.path
        if method == "GET" and p == "/v3/certificates":
            if not self.certificates:
                return 404, {"code": "NOT_FOUND", "message": "无可用的平台证书，请使用微信支付公钥"}
            return 200, self._certificates()
        if method == "POST" and p.startswith("/v3/pay/transactions/") and p.count("/") == 4:
            return self._order(p.rsplit("/", 1)[1], data)
        if match := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", p):
            order = self.orders.get(match.group(1))
            if order is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            if order["trade_state"] == "SUCCESS":
                return 400, {"code": "ORDERPAID", "message": "订单已支付"}
            if order["trade_state"] == "CLOSED":
                return 400, {"code": "ORDER_CLOSED", "message": "订单已关闭"}
            order["trade_state"] = "CLOSED"
            return 204, None
        if match := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)", p):
            if query.get("mchid") != self.mchid:
                return 400, {"code": "PARAM_ERROR", "message": "mchid"}
            order = self.orders.get(match.group(1))
            if order is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            return 200, self._transaction(order)
        if method == "POST" and p == "/v3/refund/domestic/refunds":
            by_tx = {o.get("transaction_id"): o for o in self.orders.values() if o.get("transaction_id")}
            order = by_tx.get(data.get("transaction_id")) or self.orders.get(data.get("out_trade_no", ""))
            if order is None or order["trade_state"] != "SUCCESS":
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
            amount = data["amount"]
            existing = self.refunds.get(data["out_refund_no"])
            if existing is not None:
                if existing["refund"] != amount["refund"]:
                    return 400, {"code": "INVALID_REQUEST", "message": "退款单号重复"}
                return 200, self._refund(existing)
            refunded = sum(r["refund"] for r in self.refunds.values() if r["out_trade_no"] == order["out_trade_no"])
            if amount["total"] != order["amount"] or refunded + amount["refund"] > order["amount"]:
                return 400, {"code": "INVALID_REQUEST", "message": "退款金额超过订单金额"}
            refund = self.refunds[data["out_refund_no"]] = {
                "out_refund_no": data["out_refund_no"],
                "refund_id": f"50300{secrets.randbelow(10**20):020d}",
                "out_trade_no": order["out_trade_no"],
                "transaction_id": order["transaction_id"],
                "refund": amount["refund"],
                "total": amount["total"],
                "status": self.refund_status,
            }
            self.refunds_made.append(data["out_refund_no"])
            return 200, self._refund(refund)
        if match := re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", p):
            refund = self.refunds.get(match.group(1))
            if refund is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"}
            return 200, self._refund(refund)
        if method == "POST" and p == "/v3/fund-app/mch-transfer/transfer-bills":
            return self._transfer_bill(data, named)
        if match := re.fullmatch(r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)/cancel", p):
            bill = self.bills.get(match.group(1))
            if bill is None:
                return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
            if bill["state"] not in BILL_OPEN:
                return 400, {"code": "INVALID_REQUEST", "message": f"单据状态为{bill['state']}，不可撤销"}
            bill["state"] = "CANCELING"
            return 200, {**self._bill(bill, full=False), "update_time": self.stamp()}
        if match := re.fullmatch(r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)", p):
            bill = self.bills.get(match.group(1))
            if bill is None:
                return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
            return 200, self._bill(bill)
        if method == "POST" and p == "/v3/transfer/batches":
            if not self.legacy_transfers:
                return 403, {"code": "NO_AUTH", "message": LEGACY_REFUSED}
            if data.get("appid") not in self.appids:
                return 400, {"code": "PARAM_ERROR", "message": "appid"}
            details = data.get("transfer_detail_list") or []
            if data["total_num"] != len(details) or data["total_amount"] != sum(d["transfer_amount"] for d in details):
                return 400, {"code": "PARAM_ERROR", "message": "total_amount"}
            if not re.fullmatch(r"[A-Za-z0-9]{5,32}", data["out_batch_no"]):
                return 400, {"code": "PARAM_ERROR", "message": "out_batch_no"}
            if data["out_batch_no"] in self.batches:
                return 400, {"code": "INVALID_REQUEST", "message": "商家批次单号已存在"}
            batch = self.batches[data["out_batch_no"]] = {
                "out_batch_no": data["out_batch_no"],
                "batch_id": f"131000{secrets.randbelow(10**20):020d}",
                "batch_status": "ACCEPTED",
                "total_amount": data["total_amount"],
                "openid": details[0]["openid"],
                "user_name": details[0].get("user_name", ""),
            }
            return 200, {
                "out_batch_no": batch["out_batch_no"],
                "batch_id": batch["batch_id"],
                "create_time": self.stamp(),
                "batch_status": "ACCEPTED",
            }
        if match := re.fullmatch(r"/v3/transfer/batches/out-batch-no/([^/]+)", p):
            if not self.legacy_transfers:
                return 403, {"code": "NO_AUTH", "message": LEGACY_REFUSED}
            batch = self.batches.get(match.group(1))
            if batch is None:
                return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
            return 200, {"transfer_batch": self._batch_resource(batch)}
        if p == "/v3/bill/tradebill":
            day = query.get("bill_date", "")
            if day not in self.trade_bills:
                return 400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"}
            return 200, {
                "hash_type": "SHA1",
                "hash_value": self.trade_bill_hashes[day],
                "download_url": f"{self.url}/v3/billdownload/file?token={day}",
            }
        return 404, {"code": "NOT_FOUND", "message": f"no {method} {p}"}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload, *, raw=None, content_type="application/json"):
                body = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Request-ID", uuid.uuid4().hex)
                if raw is None:
                    signer = standin._answer_signer(self.headers.get("Wechatpay-Serial", ""))
                    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
                    self.send_header("Wechatpay-Timestamp", stamp)
                    self.send_header("Wechatpay-Nonce", nonce)
                    self.send_header("Wechatpay-Serial", signer.serial)
                    self.send_header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
                    self.send_header(
                        "Wechatpay-Signature", rsa_sign(signer.key, f"{stamp}\n{nonce}\n{body.decode()}\n")
                    )
                self.end_headers()
                self.wfile.write(body)

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(length).decode() if length else ""
                standin.requests.append((method, self.path))
                if self.path.startswith("/v3/billdownload/file"):
                    token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
                    content = standin.trade_bills[token]
                    return self._answer(200, None, raw=content, content_type="application/octet-stream")
                if not standin._verify(method, self.path, self.headers, text):
                    standin.refused.append(self.path)
                    return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                data = json.loads(text) if text else {}
                standin.request_bodies.append((self.path, data))
                with standin.lock:
                    if standin.fail_next:
                        standin.fail_next -= 1
                        return self._answer(500, {"code": "SYSTEM_ERROR", "message": "系统错误"})
                    status, payload = standin._route(method, self.path, data, self.headers.get("Wechatpay-Serial", ""))
                return self._answer(status, payload)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

        return Handler
