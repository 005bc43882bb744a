# supportbot application image (web, worker, beat and the one-shot migrate job).
#   docker build -t supportbot .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HAYSTACK_TELEMETRY_ENABLED=False \
    SUPPORTBOT_HOME=/data

WORKDIR /app

# torch first, the CPU build from PyTorch's CPU index, so that installing the project
# (which pins torch==2.13.0) finds it satisfied and never pulls the CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu \
        --extra-index-url https://pypi.org/simple \
        "torch==2.13.0+cpu"

COPY . .
RUN pip install . \
    && useradd --system --create-home --home-dir /home/supportbot supportbot \
    && mkdir -p /data \
    && chown supportbot: /data

USER supportbot
VOLUME ["/data"]
EXPOSE 8000

CMD ["supportbot", "serve"]
