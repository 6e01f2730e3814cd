"""The corpus of broken configurations, and a fixed list of resource types for messages."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
REPOSITORY = Path(__file__).parents[2]

# The catalog's types at the time of writing; passed explicitly so that a new type in the
# catalog cannot change a "did you mean" in the corpus.
RESOURCE_TYPES = (
    "apigateway:restapis",
    "cloudfront:distribution",
    "dynamodb:table",
    "ec2:instance",
    "ecs:cluster",
    "ecs:service",
    "elasticache:cluster",
    "elasticloadbalancing:loadbalancer",
    "elasticloadbalancing:targetgroup",
    "kafka:cluster",
    "lambda:function",
    "rds:cluster",
    "rds:db",
    "s3:bucket",
    "sqs:queue",
)


def corpus_cases() -> list[str]:
    return sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
