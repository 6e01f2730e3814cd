# syntax=docker/dockerfile:1
# The project's configuration on the Sentinel image: what the ECS tasks run. It holds no secret
# (the config names them as env:, ssm: or secretsmanager: references). From the config directory:
#   docker build -f examples/ecs/config.Dockerfile \
#     -t <ACCOUNT_ID>.dkr.ecr.<REGION>.amazonaws.com/sentinel-p2p:<TAG> .
ARG SENTINEL_IMAGE=sentinel-aws:0.1.0
FROM ${SENTINEL_IMAGE}
COPY sentinel.yaml /config/
COPY alarms/ /config/alarms/
COPY dashboards/ /config/dashboards/
COPY budgets/ /config/budgets/
COPY monitors/ /config/monitors/
# A configuration that does not load fails the build, not the deployment.
RUN ["sentinel", "validate", "-C", "/config"]
