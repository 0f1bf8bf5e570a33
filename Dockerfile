# The slocheck image: the CLI, and the demo service docker-compose.yml runs as the system under test
# (`slocheck demo-service --host 0.0.0.0 --port 8000 --database-url … --redis-url …`, module
# `python -m slocheck.demo.service`).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . \
    && useradd --create-home --uid 10001 slocheck

USER slocheck
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["slocheck", "demo-service", "--host", "0.0.0.0", "--port", "8000"]
