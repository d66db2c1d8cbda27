"""WeChat Pay's daily trade bill (交易账单, bill_type=ALL) read into rows: a header line, one
line per trade whose every field starts with a backtick, then a summary. Amounts are yuan
with two decimals in the file and are read into fen as integers (no float anywhere)."""

import re

from payments.gateways.interface import BillRow
from payments.gateways.wechatpay import numbers

AMOUNT = re.compile(r"(\d{1,15})(?:\.(\d{1,2}))?")


class BillFormatError(ValueError):
    pass


def yuan_to_fen(text: str) -> int:
    match = AMOUNT.fullmatch(text.strip())
    if match is None:
        raise BillFormatError(f"not an amount in yuan: {text!r}")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def _fields(line: str) -> list[str]:
    return [field.strip().removeprefix("`") for field in line.split(",")]


def bill_rows(text: str) -> list[BillRow]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = _fields(lines[0])
    columns = ("商户订单号", "微信订单号", "交易状态", "商户退款单号", "微信退款单号")
    try:
        at = {name: header.index(name) for name in columns}
    except ValueError as exc:
        raise BillFormatError(f"not a trade bill header: {exc}") from None
    total_column = header.index("订单金额") if "订单金额" in header else header.index("应结订单金额")
    refund_column = header.index("申请退款金额") if "申请退款金额" in header else header.index("退款金额")
    rows = []
    for line in lines[1:]:
        if line.startswith("总交易单数"):
            break
        fields = _fields(line)
        if len(fields) < len(header):
            raise BillFormatError(f"a bill line has {len(fields)} fields, the header {len(header)}")
        state = fields[at["交易状态"]]
        if state == "SUCCESS":
            number, fen, reference = fields[at["商户订单号"]], fields[total_column], fields[at["微信订单号"]]
            rows.append(BillRow("payment", number, yuan_to_fen(fen), reference, _key(number, payment=True)))
        elif state == "REFUND":
            number, fen, reference = fields[at["商户退款单号"]], fields[refund_column], fields[at["微信退款单号"]]
            rows.append(BillRow("refund", number, yuan_to_fen(fen), reference, _key(number, payment=False)))
    return rows


def _key(number: str, *, payment: bool) -> str:
    """The ledger transaction a bill line must match, or "" for a number not ours."""
    try:
        if payment:
            return f"payment:{numbers.payment_id_of(number)}:captured"
        return f"{numbers.refund_key_of(number)}:sent"
    except numbers.NumberError:
        return ""
