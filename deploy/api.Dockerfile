# The scoring API: gunicorn serving api.wsgi:app, reading the pipelines' outputs through the
# Kedro catalog from /app/data (a volume). Build from the project root:
#   docker build -f deploy/api.Dockerfile -t credit-scoring-api .
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KEDRO_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=1 \
    CREDIT_PROJECT_ROOT=/app \
    CREDIT_DATA_ROOT=/app/data \
    CREDIT_API_HOST=0.0.0.0 \
    CREDIT_API_PORT=8000 \
    CREDIT_API_WORKERS=2

WORKDIR /app
# libgomp: LightGBM's OpenMP runtime (the base image tag pins the Debian release)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 scoring

COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN pip install -c constraints.txt .

COPY conf ./conf
COPY api ./api
RUN mkdir -p /app/data && chown scoring /app/data

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"]
CMD ["python", "-m", "gunicorn", "-c", "api/gunicorn.conf.py", "api.wsgi:app"]
