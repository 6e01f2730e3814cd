"""The local AWS emulator: moto's server with Sentinel's extensions and a seeded demo account.

``sentinel.emulator.server.start_server()`` runs it; ``sentinel.emulator.demo`` seeds the demo
account and holds its ground truth. Importing this package stays cheap: moto is imported by the
modules that need it.
"""
