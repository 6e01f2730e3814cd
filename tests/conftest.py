"""Shared fixtures: one moto account and one boto3 Session per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory

# Never reach a real account from the test suite, whatever the developer's shell holds.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"


@pytest.fixture
def aws() -> Iterator[SessionFactory]:
    """An empty emulated AWS account (in-process moto) and a factory bound to it."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        yield SessionFactory(session=session, region="us-east-1")


TAGGING_PAGE = 14


@pytest.fixture
def small_tagging_pages() -> Iterator[int]:
    """GetResources pages of at most 14 resources: every tag reader must follow the pages."""
    from sentinel.emulator.extensions import install
    from sentinel.emulator.extensions.tagging import limit_pages

    install()
    with limit_pages(TAGGING_PAGE):
        yield TAGGING_PAGE
