"""The SME's material at the factory, per share, in pieces' worth: what was sent, what
arrived (a shortfall caps delivery), and at delivery every piece received accounted for:
consumed, process loss within the process's tolerance, and the rest returned or written off.
Nothing is ever left unaccounted. Callers hold the job and assignment locks."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInputError
from orders.models import Assignment, MaterialMovement

K = MaterialMovement.Kind


def movement(assignment: Assignment, kind: str, quantity: int, *, user, note: str = "") -> None:
    """Record one movement (nothing for zero); the schema keeps one per kind and share."""
    if quantity > 0:
        MaterialMovement.objects.create(assignment=assignment, kind=kind, quantity=quantity, note=note, actor=user)


def material_loss_allowance(assignment: Assignment) -> int:
    """Process loss the factory may report: the process's tolerance of what it received."""
    received = assignment.quantity_received or 0
    return received * assignment.job.process.material_tolerance_bps // 10000


def check_received(assignment: Assignment, quantity_received: int) -> None:
    """Received is what arrived: at least 1 piece's worth. Nothing arrived is not a receipt
    (and not a loss): the share stays waiting for the material, or the factory gives it back."""
    limit = assignment.quantity_sent or assignment.quantity
    if quantity_received == 0:
        raise InvalidInputError(
            _("Nothing arrived yet: report the material when it arrives, or give the share back (withdraw)."),
            code="nothing_received",
            fields={"quantity_received": [_("At least 1.")]},
        )
    if not 1 <= quantity_received <= limit:
        raise InvalidInputError(
            _("Received must be between 1 and the %(limit)d pieces' worth sent.") % {"limit": limit},
            fields={"quantity_received": [_("Out of range.")]},
        )


def check_delivery(assignment: Assignment, quantity_delivered: int, quantity_lost: int, leftover: str) -> None:
    """400 naming each field when the delivery does not add up against what was received."""
    received = assignment.quantity_received or 0
    limit = min(assignment.quantity, received)
    allowance = material_loss_allowance(assignment)
    fields = {}
    if not 0 < quantity_delivered <= limit:
        fields["quantity_delivered"] = [f"Between 1 and {limit} (the share or the material received)."]
    if not 0 <= quantity_lost <= allowance:
        fields["quantity_lost"] = [f"Process loss may be at most {allowance} of {received} received."]
    elif quantity_delivered + quantity_lost > received:
        fields["quantity_lost"] = ["Delivered plus lost exceeds the material received."]
    if leftover not in ("return", "write_off"):
        fields["leftover"] = ["return or write_off."]
    if fields:
        raise InvalidInputError(_("The delivery does not add up."), code="invalid_delivery", fields=fields)


def account_for_delivery(assignment: Assignment, delivered: int, lost: int, leftover: str, *, user) -> None:
    rest = (assignment.quantity_received or 0) - delivered - lost
    movement(assignment, K.CONSUMED, delivered, user=user)
    movement(assignment, K.LOSS, lost, user=user)
    movement(assignment, K.RETURNED if leftover == "return" else K.WRITTEN_OFF, rest, user=user)


def account_for_withdrawal(assignment: Assignment, *, user) -> None:
    """A share given back: the material sent goes back to the SME unprocessed, recorded as
    returned and waiting for the SME to confirm it (``confirm_returned``). Nothing is written
    off on the factory's word."""
    if assignment.quantity_sent:
        movement(
            assignment, K.RETURNED, assignment.quantity_sent, user=user, note="returned unprocessed after withdrawal"
        )


def confirm_returned(assignment: Assignment, *, user) -> int:
    """The SME confirms it has its returned material back; returns how many movements it
    confirmed (0 for a repeat)."""
    return MaterialMovement.objects.filter(assignment=assignment, kind=K.RETURNED, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by=user
    )
