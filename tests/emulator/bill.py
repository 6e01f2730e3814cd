"""A small bill to query: three line items a day over eight days, one extra item on one day."""

from __future__ import annotations

from datetime import date, timedelta

from sentinel.emulator.cost_table import CostRecord

FIRST_DAY = date(2024, 1, 28)
DAYS = 8
TODAY = date(2024, 2, 5)
ACCOUNT = "111122223333"
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
CLOUDWATCH = "AmazonCloudWatch"
SPIKE_DAY = date(2024, 2, 3)


def bill_records() -> list[CostRecord]:
    records = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        common = {"linked_account": ACCOUNT, "linked_account_name": "demo"}
        records += [
            CostRecord(
                day,
                EC2,
                "BoxUsage:t3.large",
                2.0,
                24,
                "Hrs",
                tags={"Environment": "production", "Owner": "platform-team"},
                **common,
            ),
            CostRecord(day, CLOUDWATCH, "CW:MetricMonitorUsage", 0.5, 10, "Metrics", **common),
            CostRecord(
                day,
                S3,
                "TimedStorage-ByteHrs",
                1.25,
                100,
                "GB-Mo",
                region="us-west-2",
                tags={"Environment": "staging"},
                **common,
            ),
        ]
    records.append(
        CostRecord(
            SPIKE_DAY,
            EC2,
            "BoxUsage:m5.xlarge",
            4.6,
            24,
            "Hrs",
            tags={"Environment": "production"},
            linked_account=ACCOUNT,
            linked_account_name="demo",
        )
    )
    return records
