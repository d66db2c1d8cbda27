"""core.api.base.ModelSerializer keeps the fields DRF works out of the model per class: every
instance still gets the same fields as DRF's own, and fields of its own."""

import pytest
from rest_framework import serializers

from orders.api import serializers as s

OURS = [s.JobSerializer, s.AssignmentSerializer, s.JobHistorySerializer]


@pytest.mark.parametrize("serializer_class", OURS, ids=lambda c: c.__name__)
def test_model_serializer_fields_are_drfs_own_each_time(serializer_class):
    # given: two instances (the second reads the fields kept by the first)
    first, second = serializer_class(), serializer_class()
    stock = serializers.ModelSerializer.get_fields(serializer_class())
    # then: the same fields, arguments and all, as DRF builds for each instance
    for instance in (first, second):
        assert {name: repr(field) for name, field in instance.fields.items()} == {
            name: repr(field) for name, field in stock.items()
        }
    # and they came from the class's kept fields, each instance's its own, bound to it
    assert "_built_fields" in serializer_class.__dict__
    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
