"""Requests that never reach a DRF view (the admin, the pay page's HTML) answer 503 in the
error shape too while the database is down, instead of a 500."""

from core.errors import DATABASE_DOWN, database_unavailable_response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except DATABASE_DOWN:  # raised outside any view (a middleware's session or user lookup)
            return database_unavailable_response()

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return database_unavailable_response()
        return None
