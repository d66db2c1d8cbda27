"""The WeChat Pay (API v3) adapter, on the ``wechatpayv3`` SDK: configuration, the gateway
(charges, refunds, payouts, queries, bills) and the notifications' protocol. Nothing here
writes our tables except the adapter's own book of orders it created (``WechatPayOrder``);
money moves only through ``payments.services``."""
