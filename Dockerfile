# The portal's application image: gunicorn (deploy/gunicorn.conf.py), and with another
# command the export worker (db_worker) and the sweeper (finish_expired_attempts).
# Python 3.11, the version the test suite runs on in CI. Runs as the user `portal`,
# which owns only its home and the media folder (/data/media, a volume in compose).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_MEDIA_ROOT=/data/media

# The user, its writable home (gunicorn and Python may write there) and the media
# folder, created and owned here: Docker hands a new named volume the ownership of
# the folder it is mounted on, podman hands it to the container's user.
RUN groupadd --system portal \
 && useradd --system --gid portal --home-dir /home/portal --create-home \
        --shell /usr/sbin/nologin portal \
 && mkdir -p /data/media \
 && chown portal:portal /data/media \
 && python -m venv "$VIRTUAL_ENV"

WORKDIR /app
# Exactly the tested libraries: the hashed lock of the main dependencies, then the
# project itself without resolving anything more.
COPY pyproject.toml README.md ./
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt \
 && pip install --no-deps . \
 && rm -rf build ./*.egg-info

# The code stays root-owned: the application user cannot change what it runs.
COPY . .
# The Vietnamese catalogue, compiled without GNU gettext (locale/msgfmt.py).
RUN python locale/msgfmt.py
# collectstatic needs settings that load without production secrets.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-not-secret \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "contest_portal.wsgi"]
