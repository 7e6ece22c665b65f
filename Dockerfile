# syntax=docker/dockerfile:1
# One image for web (gunicorn, the default command), worker and beat (Celery): docker-compose.yml.

# --- Python packages: mysqlclient builds from source here, so the compilers stay behind ---------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libmariadb-dev gcc \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

# --- Front-end assets: npm packages copied into static/vendor/ by scripts/vendor-assets.sh -----
FROM node:20-slim AS assets

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY scripts/vendor-assets.sh scripts/vendor-assets.sh
RUN bash scripts/vendor-assets.sh

# --- Runtime ------------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    WEB_CONCURRENCY=2

RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 carbon \
    && useradd --system --uid 10001 --gid carbon --home-dir /app --no-create-home carbon

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
COPY --from=assets /app/static/vendor/ static/vendor/

# Hashed, compressed static files and the quick-mode estimator are built into the image, so every
# container serves the same files and the same model. The key below exists for these two commands
# only; the real SECRET_KEY comes from the environment at run time.
RUN export SECRET_KEY=build-only-throwaway-key-never-used-at-run-time-0123456789 \
        STATIC_MANIFEST=1 DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    && python manage.py collectstatic --noinput \
    && if python manage.py help train_quick_estimator >/dev/null 2>&1; then \
           python manage.py train_quick_estimator --output var/models/quick_estimator.skops; \
       fi \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p var \
    && chown -R carbon:carbon var

USER carbon
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/docker-healthcheck.py"]

# gunicorn's control socket would go under $HOME, which the app user cannot write; unused here.
CMD ["sh", "-c", "exec gunicorn carbon_site.wsgi:application --bind 0.0.0.0:${PORT:-8000} --workers ${WEB_CONCURRENCY:-2} --access-logfile - --no-control-socket"]
