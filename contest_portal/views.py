from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own CSRF page has no Vietnamese; say what to do in plain words."""
    return render(request, "403_csrf.html", status=403)
