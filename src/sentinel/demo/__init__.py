"""``sentinel demo``: the emulator with the seeded demo account, and the main job against it.

Each feature contributes a module of steps; a step either runs a ``sentinel`` command as a user
would type it (shown with its real output) or does something to the emulated account through
the AWS API, as a person in the console would.
"""
