"""The sync engine: desired state from config, actual state from AWS, a plan, and apply."""
