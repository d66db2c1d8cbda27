"""A stand-in for the WeChat Pay API v3, on 127.0.0.1, for the adapter's tests.

It speaks the protocol the real one does, so the real ``wechatpayv3`` SDK talks to it
unchanged: every request's ``Authorization`` (WECHATPAY2-SHA256-RSA2048 over method, path,
timestamp, nonce and body) is verified with the merchant's public key, and every answer is
signed with the platform's private key (``Wechatpay-Signature`` over timestamp, nonce and
body) and carries the platform key's id in ``Wechatpay-Serial``. It keeps its own book of
orders, refunds and transfers, idempotent by the merchant's numbers, and counts the money
it really moved, so a test can tell one movement from two. ``notification`` builds a
callback as WeChat Pay does: the resource encrypted with AEAD_AES_256_GCM under the APIv3
key, the body signed with the platform key.
"""

import base64
import gzip
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AUTH = re.compile(r"WECHATPAY2-SHA256-RSA2048 (.*)")
BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def rsa_sign(key, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _now_rfc3339() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


class WechatPayStandIn:
    def __init__(self, *, mchid, appid, apiv3_key, merchant_key, merchant_serial, platform_key, platform_serial):
        self.mchid, self.appid, self.apiv3_key = mchid, appid, apiv3_key
        self.merchant_public_key = merchant_key.public_key()
        self.merchant_serial = merchant_serial
        self.platform_key, self.platform_serial = platform_key, platform_serial
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.batches: dict[str, dict] = {}
        self.refunds_made: list[str] = []  # money that really went back, one entry per refund
        self.transfers_made: list[str] = []  # money that really went out, one entry per transfer
        self.requests: list[tuple[str, str]] = []
        self.refused: list[str] = []  # requests whose signature did not verify
        self.bills: dict[str, bytes] = {}
        self.refund_status = "PROCESSING"
        self.fail_next: int = 0  # answer the next N calls with 500 SYSTEM_ERROR
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what WeChat Pay does outside the API: the payer pays, transfers finish ---------------

    def pay(self, out_trade_no: str, *, total: int | None = None) -> dict:
        """The payer pays the order (scans the QR code, confirms in the app)."""
        with self.lock:
            order = self.orders[out_trade_no]
            order.update(trade_state="SUCCESS", transaction_id=f"42000{secrets.randbelow(10**20):020d}")
            order["success_time"] = _now_rfc3339()
            if total is not None:
                order["amount"] = total
            return self._transaction(order)

    def finish_transfer(self, out_batch_no: str, *, ok: bool = True) -> dict:
        with self.lock:
            batch = self.batches[out_batch_no]
            batch.update(batch_status="FINISHED", success_num=1 if ok else 0, fail_num=0 if ok else 1)
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
                "success_time": _now_rfc3339(),
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
        apiv3_key=None,
    ):
        """(raw body, headers) of a callback exactly as WeChat Pay sends one."""
        nonce = secrets.token_urlsafe(9)[:12]
        associated = {"TRANSACTION": "transaction", "REFUND": "refund"}.get(event_type.split(".")[0], "mch_payment")
        plain = json.dumps(resource, ensure_ascii=False).encode()
        aes = AESGCM((apiv3_key or self.apiv3_key).encode())
        ciphertext = base64.b64encode(aes.encrypt(nonce.encode(), plain, associated.encode())).decode()
        body = json.dumps(
            {
                "id": notification_id or str(uuid.uuid4()),
                "create_time": _now_rfc3339(),
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
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        sign_nonce = secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": sign_nonce,
            "Wechatpay-Serial": serial or self.platform_serial,
            "Wechatpay-Signature": rsa_sign(key or self.platform_key, f"{stamp}\n{sign_nonce}\n{body.decode()}\n"),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return body, headers

    def add_bill(self, bill_date: str, lines: list[list]):
        """The day's trade bill from trade rows: (out_trade_no or refund, ...) see ``bill_line``."""
        text = BILL_HEADER + "\r\n" + "".join(line + "\r\n" for line in lines)
        text += "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
        text += f"`{len(lines)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00\r\n"
        self.bills[bill_date] = gzip.compress(("\ufeff" + text).encode())

    def bill_line(
        self, *, out_trade_no, transaction_id, total, state="SUCCESS", out_refund_no="", refund_id="", refund=0
    ) -> str:
        fields = [
            "2026-12-01 10:00:00",
            self.appid,
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

    # --- the API ------------------------------------------------------------------------------

    def _transaction(self, order):
        return {
            "appid": self.appid,
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
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }

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
            "update_time": _now_rfc3339(),
        }

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

    def _route(self, method, path, data):  # noqa: C901 - one table of the endpoints
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = url.path
        if method == "POST" and p.startswith("/v3/pay/transactions/") and p.count("/") == 4:
            kind = p.rsplit("/", 1)[1]
            if data.get("mchid") != self.mchid or data.get("appid") != self.appid or not data.get("notify_url"):
                return 400, {"code": "PARAM_ERROR", "message": "mchid, appid, notify_url"}
            total = data["amount"]["total"]
            if not isinstance(total, int) or total <= 0:
                return 400, {"code": "PARAM_ERROR", "message": "amount.total"}
            order = self.orders.get(data["out_trade_no"])
            if order is not None:
                if order["amount"] != total or order["trade_type"] != kind.upper():
                    return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
                if order["trade_state"] == "CLOSED":
                    return 400, {"code": "ORDER_CLOSED", "message": "订单已关闭"}
            else:
                order = self.orders[data["out_trade_no"]] = {
                    "out_trade_no": data["out_trade_no"],
                    "amount": total,
                    "trade_type": kind.upper(),
                    "trade_state": "NOTPAY",
                    "code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}",
                    "prepay_id": f"wx{secrets.token_hex(14)}",
                    "payer": data.get("payer"),
                }
            if kind == "native":
                return 200, {"code_url": order["code_url"]}
            if kind == "jsapi" and not (order.get("payer") or {}).get("openid"):
                return 400, {"code": "PARAM_ERROR", "message": "payer.openid"}
            return 200, {"prepay_id": order["prepay_id"]}
        if match := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", p):
            order = self.orders.get(match.group(1))
            if order is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            if order["trade_state"] == "SUCCESS":
                return 400, {"code": "ORDERPAID", "message": "订单已支付"}
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
        if method == "POST" and p == "/v3/transfer/batches":
            if data.get("appid") != self.appid:
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
            self.transfers_made.append(data["out_batch_no"])
            return 200, {
                "out_batch_no": batch["out_batch_no"],
                "batch_id": batch["batch_id"],
                "create_time": _now_rfc3339(),
                "batch_status": "ACCEPTED",
            }
        if match := re.fullmatch(r"/v3/transfer/batches/out-batch-no/([^/]+)", p):
            batch = self.batches.get(match.group(1))
            if batch is None:
                return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
            return 200, {"transfer_batch": self._batch_resource(batch)}
        if p == "/v3/bill/tradebill":
            content = self.bills.get(query.get("bill_date", ""))
            if content is None:
                return 400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"}
            token = query["bill_date"]
            return 200, {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),  # noqa: S324
                "download_url": f"{self.url}/v3/billdownload/file?token={token}",
            }
        return 404, {"code": "NOT_FOUND", "message": f"no {method} {p}"}

    def _refund(self, refund):
        return {
            "refund_id": refund["refund_id"],
            "out_refund_no": refund["out_refund_no"],
            "transaction_id": refund["transaction_id"],
            "out_trade_no": refund["out_trade_no"],
            "channel": "ORIGINAL",
            "status": refund["status"],
            "create_time": _now_rfc3339(),
            "amount": {"total": refund["total"], "refund": refund["refund"], "currency": "CNY"},
        }

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
                    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
                    self.send_header("Wechatpay-Timestamp", stamp)
                    self.send_header("Wechatpay-Nonce", nonce)
                    self.send_header("Wechatpay-Serial", standin.platform_serial)
                    self.send_header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
                    signature = rsa_sign(standin.platform_key, f"{stamp}\n{nonce}\n{body.decode()}\n")
                    self.send_header("Wechatpay-Signature", signature)
                self.end_headers()
                self.wfile.write(body)

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(length).decode() if length else ""
                standin.requests.append((method, self.path))
                if self.path.startswith("/v3/billdownload/file"):
                    token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
                    return self._answer(200, None, raw=standin.bills[token], content_type="application/octet-stream")
                if not standin._verify(method, self.path, self.headers, text):
                    standin.refused.append(self.path)
                    return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                with standin.lock:
                    if standin.fail_next:
                        standin.fail_next -= 1
                        return self._answer(500, {"code": "SYSTEM_ERROR", "message": "系统错误"})
                    status, payload = standin._route(method, self.path, json.loads(text) if text else {})
                return self._answer(status, payload)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

        return Handler
