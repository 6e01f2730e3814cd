"""Demo steps of the foundation: the config validates, the account's inventory."""

from sentinel.demo.runner import Command, Step

STEPS: list[Step] = [
    Command("Validate the P2P Sandbox configuration", ["validate"]),
    Command("Validate every example configuration", ["validate", "-C", "examples/ips"]),
    Command("Inventory of the seeded demo account", ["inventory"]),
]
