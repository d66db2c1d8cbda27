from accounts.events import Notification
from accounts.models import Company
from core.models import StreamEvent


def company_for_user(user) -> Company | None:
    """The company the user acts for, or None (platform admins have none)."""
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.company if membership is not None else None


def notification_list_for_company(*, company):
    """The company's notifications (its stream's ``notification`` events), newest first."""
    return StreamEvent.objects.filter(company_id=company.id, type=Notification.type).order_by("-id")
