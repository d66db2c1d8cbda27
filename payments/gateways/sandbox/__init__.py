"""The sandbox gateway (``PAYMENT_PROVIDER=sandbox``, the default with ``DEBUG``): the gateway
itself (``gateway``), its pay page (``checkout``), its signatures (``signing``) and its
webhook delivery task (``delivery``)."""
