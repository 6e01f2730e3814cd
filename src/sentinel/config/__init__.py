"""The configuration language: YAML files read into typed, validated models."""

from sentinel.config.loader import Config, load_config

__all__ = ["Config", "load_config"]
