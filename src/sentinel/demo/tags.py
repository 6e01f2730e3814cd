"""Demo steps of the tagging audit: the demo account against the P2P tagging rules, then --fix.

The audit finds the seeded violations (an untagged instance, a cluster without CostCenter,
``Environment`` values of the wrong case or spelling) and exits 2 as a CI job would see it;
``--fix --auto-approve`` adds the tags the rules default and leaves the wrong values to people.
"""

from __future__ import annotations

from sentinel.demo.runner import Command, Step

STEPS: list[Step] = [
    Command(
        "Tagging audit of the demo account (exit 2: violations)",
        ["tags", "audit"],
        (0, 2),
        shows="tagging",
    ),
    Command(
        "Add the tags the rules give defaults for; wrong values stay for people to fix",
        ["tags", "audit", "--fix", "--auto-approve"],
        (0, 2),
        shows="tagging",
    ),
]
