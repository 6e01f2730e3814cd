# syntax=docker/dockerfile:1
# Sentinel as a service: the router, the daemon, or any other command.
#   docker build -t sentinel-aws:0.1.0 .
#   docker run --rm -v "$PWD:/config:ro" sentinel-aws:0.1.0 validate
# compose.yaml runs the daemon and two routers against PostgreSQL; examples/ecs/ on ECS Fargate.

# The wheel, built from pyproject.toml and src/ alone (.dockerignore keeps the rest out).
FROM python:3.12.12-slim-trixie AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src/ src/
RUN pip wheel --no-deps --wheel-dir /wheels .

# The runtime: the wheel and its dependencies; no sources, no build tools, no dev or local extras.
FROM python:3.12.12-slim-trixie
# MPLCONFIGDIR: matplotlib's font cache (the cost and SLO charts) in /tmp, so that the root
# filesystem can be read-only.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    MPLCONFIGDIR=/tmp/matplotlib
# The wheel is mounted for the install, never copied into a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install /wheels/*.whl
# A fixed UID and GID: files mounted into the container (the config, ~/.aws) can be made readable
# to it, and an orchestrator's "run as non-root" check can see it is not 0.
RUN groupadd --system --gid 10001 sentinel \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/sentinel \
        --shell /usr/sbin/nologin sentinel
# The configuration directory (sentinel.yaml, alarms/, dashboards/, budgets/, monitors/), mounted
# read-only or copied in by an image built on this one; -C defaults to it.
WORKDIR /config
USER 10001:10001
# /metrics and /healthz of `sentinel route` and `sentinel daemon` with --metrics-port 9100
# --metrics-host 0.0.0.0. The health check is the runner's (compose.yaml, the ECS task
# definition): not every command serves one.
EXPOSE 9100
ENTRYPOINT ["sentinel"]
CMD ["--help"]
