"""The app's own tasks that its services send, as slots (``core.queue.TaskSlot``) that
``payments.tasks`` fills: the services sit below the tasks that call them and never import
them."""

from core.queue import TaskSlot

webhook_process = TaskSlot("payments.webhook_process")  # (event_id)
refund_execute = TaskSlot("payments.refund_execute")  # (refund_id)
settlement_payout = TaskSlot("payments.settlement_payout")  # (batch_id)
