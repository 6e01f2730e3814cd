"""Demo steps of the foundation: the config validates, the account's inventory."""

from sentinel.demo.runner import Action, Command, DemoContext, Step


def validate_examples(ctx: DemoContext) -> None:
    """Each configuration under examples/ (the repository root has four), if there are any."""
    examples = sorted(p.parent.name for p in (ctx.config_dir / "examples").glob("*/sentinel.yaml"))
    if not examples:
        ctx.console.print(f"(no example configurations under {ctx.config_dir / 'examples'})")
    for name in examples:
        ctx.sentinel(["validate", "-C", f"examples/{name}"])


STEPS: list[Step] = [
    Command("Validate the configuration", ["validate"]),
    Action("Validate every example configuration", validate_examples),
    Command("Inventory of the seeded demo account", ["inventory"]),
]
