"""Code per resource type, one module per AWS service; importing this package registers it."""

from sentinel.inventory.services import ec2, ecs, elbv2, sqs

__all__ = ["ec2", "ecs", "elbv2", "sqs"]
