FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system portal && useradd --system --gid portal --home-dir /app portal

COPY pyproject.toml requirements.lock README.md ./
RUN pip install -c requirements.lock .

COPY --chown=portal:portal . .
# The Vietnamese catalogue, compiled without GNU gettext (locale/msgfmt.py).
RUN python locale/msgfmt.py
# collectstatic needs settings that load without production secrets.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-not-secret \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000
CMD ["gunicorn", "contest_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
