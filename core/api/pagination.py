from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page_size=`` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        # The schema's examples show one page holding the one example item (DRF's own example
        # names api.example.org/accounts/ on every list).
        paginated = super().get_paginated_response_schema(schema)
        for field, example in (("count", 1), ("next", None), ("previous", None)):
            paginated["properties"][field]["example"] = example
        return paginated
