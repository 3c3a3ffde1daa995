# The relationship managers' dashboard: Streamlit, asking the API for every prediction
# (CREDIT_API_URL) and reading the monitoring reports through the Kedro catalog.
#   docker build -f deploy/dashboard.Dockerfile -t credit-scoring-dashboard .
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KEDRO_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=1 \
    CREDIT_PROJECT_ROOT=/app \
    CREDIT_DATA_ROOT=/app/data \
    CREDIT_API_URL=http://api:8000/api/v1

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 scoring

COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN pip install -c constraints.txt .

COPY conf ./conf
COPY dashboard ./dashboard

USER 10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
CMD ["python", "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true", \
     "--server.address", "0.0.0.0", "--server.port", "8501", "--browser.gatherUsageStats", "false"]
