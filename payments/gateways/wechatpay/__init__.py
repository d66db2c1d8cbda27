"""The WeChat Pay (API v3) gateway (``PAYMENT_PROVIDER=wechatpay``), on the ``wechatpayv3``
SDK: configuration (``config``), the gateway (``gateway``: charges, refunds, transfers,
queries, bills), its platform keys (``keys``), the notifications' protocol (``notify``), our
merchant numbers (``numbers``) and the daily bill's format (``bill``). Nothing here writes
our tables except the adapter's own books (``WechatPayOrder``, ``PlatformCertificate``);
money moves only through ``payments.services``."""
