"""``{% desk_counts as desk %}`` on the admin's index (the reads live in ``marketplace.desk``)."""

from django import template

from marketplace import desk

register = template.Library()


@register.simple_tag
def desk_counts():
    return desk.desk()
