from payments.gateways import gateway_class


def sandbox_payments(request) -> dict:
    """The admin's banner while the gateway in use moves no real money (the sandbox)."""
    return {"sandbox_payments": not gateway_class().real_money}
