# The production image: one image for the web process and the Celery worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries (libharfbuzz-subset0 keeps font subsetting fast); Graphviz
# lays out the data-flow maps.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core graphviz \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY governance ./governance
COPY processors ./processors
COPY agreements ./agreements
COPY notices ./notices
RUN pip install --no-cache-dir .
COPY . .

RUN SECRET_KEY=build-only python manage.py collectstatic --no-input \
    && useradd --system --home /app app && mkdir -p /app/var/media /app/var/seal && chown -R app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "governance.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
