#!/bin/sh
# One image, four roles, chosen by the container's command:
#   web      the ASGI server (uvicorn): WEB_CONCURRENCY processes on PORT (8000)
#   worker   a Celery worker; QUEUES (default: celery,short) and CELERY_WORKER_CONCURRENCY
#   beat     Celery beat with RedBeat's Redis lock: a second beat waits, it never runs jobs twice
#   migrate  every schema's migrations and the portal's OIDC client; run it before the web tier
#   healthcheck  the image's HEALTHCHECK: /healthz for web, nothing to check for the others
# Anything else is run as given (`manage.py shell`, `bash`).
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    echo web > /tmp/atrium-role
    # A pod's IP is the Host of kubelet's and Prometheus's requests: /metrics must accept it.
    if [ -n "${POD_IP:-}" ]; then
      export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost},${POD_IP}"
    fi
    workers="${WEB_CONCURRENCY:-1}"
    if [ "$workers" -gt 1 ] && [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
      # The last run's samples are not this one's (the folder may outlive a container restart).
      mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
      find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
    fi
    access_log="--no-access-log"
    [ "${ATRIUM_ACCESS_LOG:-false}" = "true" ] && access_log="--access-log"
    exec uvicorn portal.asgi:application \
      --host 0.0.0.0 --port "${PORT:-8000}" --lifespan off --workers "$workers" \
      --timeout-graceful-shutdown "${ATRIUM_SHUTDOWN_SECONDS:-30}" \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      "$access_log" "$@"
    ;;
  worker)
    echo worker > /tmp/atrium-role
    export ATRIUM_DB_POOL=false  # prefork: no pool threads to inherit
    queues="${QUEUES:-celery,short}"
    exec celery -A portal worker --loglevel "${LOG_LEVEL:-INFO}" \
      --queues "$queues" --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" \
      --hostname "atrium-$(echo "$queues" | tr ',' '-')@%h" "$@"
    ;;
  beat)
    echo beat > /tmp/atrium-role
    export ATRIUM_DB_POOL=false
    exec celery -A portal beat --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    exec python manage.py prepare_release "$@"
    ;;
  healthcheck)
    if [ "$(cat /tmp/atrium-role 2>/dev/null)" != "web" ]; then
      exit 0
    fi
    exec python -c "import sys, urllib.request
url = 'http://127.0.0.1:${PORT:-8000}/healthz'
sys.exit(0 if urllib.request.urlopen(url, timeout=3).status == 200 else 1)"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
