"""``{% load money %}``: ``{{ amount_fen|yuan }}`` shows fen as a person reads money (¥1,474.88)."""

from django import template

from core.readable import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen):
    return yuan_text(fen)
