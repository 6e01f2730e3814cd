"""Which columns of an export hold what Sentinel reads: CUR 2.0's own names, or FOCUS 1.0's.

Column names are AWS Data Exports' table dictionaries: CUR 2.0 (``COST_AND_USAGE_REPORT``)
and FOCUS 1.0 with AWS columns (``FOCUS_1_0_AWS``). Tags are a map column in both: CUR 2.0's
``resource_tags`` keys a user-defined cost allocation tag ``user_<Key>``, FOCUS's ``Tags`` by
the key itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

ExportFormat = Literal["cur2", "focus"]


@dataclass(frozen=True)
class ExportSchema:
    format: ExportFormat
    title: str
    usage_start: str  # timestamp of the charge's start: its day
    cost: str  # what Cost Explorer's UnblendedCost sums
    product_code: str
    usage_type: str
    account: str  # the usage account: Cost Explorer's LINKED_ACCOUNT
    tags: str  # map<string, string>
    tag_prefix: str
    # Set when the export says whether a billing period is final: its invoice id.
    invoice_id: str | None
    billing_period_end: str | None
    service_name: str | None = None  # FOCUS's own service name, when there is no product code

    @property
    def required(self) -> tuple[str, ...]:
        """Columns every file must have (FOCUS's product code may stand for ServiceName)."""
        columns = [self.usage_start, self.cost, self.account, self.tags]
        columns += [self.service_name] if self.service_name else [self.product_code]
        return tuple(columns)

    def tag_key(self, key: str) -> str:
        return f"{self.tag_prefix}{key}"


CUR2 = ExportSchema(
    format="cur2",
    title="CUR 2.0",
    usage_start="line_item_usage_start_date",
    cost="line_item_unblended_cost",
    product_code="line_item_product_code",
    usage_type="line_item_usage_type",
    account="line_item_usage_account_id",
    tags="resource_tags",
    tag_prefix="user_",
    invoice_id="bill_invoice_id",
    billing_period_end=None,
)
FOCUS = ExportSchema(
    format="focus",
    title="FOCUS 1.0",
    usage_start="ChargePeriodStart",
    cost="BilledCost",
    product_code="x_ServiceCode",
    usage_type="x_UsageType",
    account="SubAccountId",
    tags="Tags",
    tag_prefix="",
    invoice_id=None,
    billing_period_end="BillingPeriodEnd",
    service_name="ServiceName",
)
SCHEMAS: dict[str, ExportSchema] = {"cur2": CUR2, "focus": FOCUS}


@dataclass(frozen=True)
class ServiceNames:
    """Product codes -> Cost Explorer SERVICE names (``data/cur_services.yaml``)."""

    ec2_code: str
    ec2_product_name: str
    ec2_compute: str
    ec2_other: str
    compute_usage_types: tuple[str, ...]
    by_code: dict[str, str]

    def code_of(self, service: str) -> str:
        """The product code of a Cost Explorer service name (the emulator writes exports)."""
        if service in (self.ec2_compute, self.ec2_other):
            return self.ec2_code
        for code, name in self.by_code.items():
            if name == service:
                return code
        raise KeyError(f"no product code for service {service!r} in data/cur_services.yaml")

    def product_name_of(self, service: str) -> str:
        """FOCUS's ServiceName of a Cost Explorer service name: EC2 is one product there."""
        if service in (self.ec2_compute, self.ec2_other):
            return self.ec2_product_name
        return service


@cache
def service_names() -> ServiceNames:
    text = resources.files("sentinel").joinpath("data/cur_services.yaml").read_text()
    raw: dict[str, Any] = yaml.safe_load(text)
    ec2 = raw["ec2"]
    return ServiceNames(
        ec2_code=str(ec2["product_code"]),
        ec2_product_name=str(ec2["product_name"]),
        ec2_compute=str(ec2["compute"]),
        ec2_other=str(ec2["other"]),
        compute_usage_types=tuple(str(u) for u in ec2["compute_usage_types"]),
        by_code={str(k): str(v) for k, v in raw["services"].items()},
    )
