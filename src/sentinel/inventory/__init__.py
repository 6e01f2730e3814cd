"""Resource inventory: AWS resources of known types, their tags and attributes.

Templates expand over it (``for_each: {resource: rds:db, tags: {Environment: production}}``),
the tag audit reads every resource from it, tagged or not, and right-sizing reads attributes.
"""

from sentinel.inventory.catalog import (
    KNOWN_RESOURCE_TYPES,
    ResourceType,
    UnknownResourceTypeError,
    resource_type,
    resource_types,
)
from sentinel.inventory.discovery import Inventory, inventory_calls
from sentinel.inventory.resource import Resource, TagFilter
from sentinel.inventory.summary import TypeSummary, summarize

__all__ = [
    "KNOWN_RESOURCE_TYPES",
    "Inventory",
    "Resource",
    "ResourceType",
    "TagFilter",
    "TypeSummary",
    "UnknownResourceTypeError",
    "inventory_calls",
    "resource_type",
    "resource_types",
    "summarize",
]
