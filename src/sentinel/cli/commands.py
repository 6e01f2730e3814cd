"""Every command of the CLI as "module:attribute"; one line per command, added when it works."""

from __future__ import annotations

ALL: list[str] = []
ALL.append("sentinel.cli.validate:validate")
ALL.append("sentinel.cli.validate:schema")
ALL.append("sentinel.cli.local:local")
ALL.append("sentinel.cli.demo:demo")
ALL.append("sentinel.cli.inventory:inventory")
ALL.append("sentinel.cli.sync:plan_command")
ALL.append("sentinel.cli.sync:apply_command")
ALL.append("sentinel.cli.sync:drift_command")
ALL.append("sentinel.cli.tags:tags")
ALL.append("sentinel.cli.cost:cost")
ALL.append("sentinel.cli.slo:slo")
ALL.append("sentinel.cli.rightsize:rightsize")
ALL.append("sentinel.cli.route:route")
ALL.append("sentinel.cli.route:oncall")
ALL.append("sentinel.cli.daemon:daemon")
ALL.append("sentinel.cli.init:init")
ALL.append("sentinel.cli.unlock:unlock")
ALL.append("sentinel.cli.iam_policy:iam_policy")
ALL.append("sentinel.cli.import_:import_command")
ALL.append("sentinel.cli.db:db")
ALL.append("sentinel.cli.maintenance:maintenance")
ALL.append("sentinel.cli.silence:silence")
