# The demo image docker-compose.yml runs as the system under test: the demo package (demo/, `slocheck-demo`) on top
# of the slocheck gate it plugs into (`slocheck demo-service --host 0.0.0.0 --port 8000 --database-url … --redis-url …`,
# module `python -m slocheck_demo.service`). The gate alone is `pip install slocheck`; it has none of the demo's
# libraries (aiohttp, asyncpg, redis, prometheus-client, OpenTelemetry).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY demo/pyproject.toml demo/README.md ./demo/
COPY demo/src ./demo/src
RUN pip install . ./demo \
    && useradd --create-home --uid 10001 slocheck

USER slocheck
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["slocheck", "demo-service", "--host", "0.0.0.0", "--port", "8000"]
