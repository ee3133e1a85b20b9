# Partnership Hub: one image for the web app, the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=partnership.settings \
    DEBUG=false

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so a change to the code does not reinstall them.
# pyproject.toml declares no packages of its own: the code runs from /app, the working directory.
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .

COPY . .

# Static files are collected (hashed and compressed) into the image. With DEBUG=false the settings
# demand a secret and a host name; these are build-time stand-ins that never reach a running container.
RUN DEBUG=false \
    SECRET_KEY=build-time-only-not-a-secret-collectstatic-needs-fifty-characters \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# Run as an unprivileged user that cannot change the code or the collected static files.
RUN useradd --system --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin hub
USER hub

EXPOSE 8000
CMD ["gunicorn", "partnership.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
