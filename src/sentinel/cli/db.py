"""``sentinel db upgrade`` and ``sentinel db status``: the store's schema migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sentinel.cli.options import Workspace, common_options

if TYPE_CHECKING:
    from sentinel.store import Store

STORE_OPTION = click.option(
    "--store",
    default=None,
    help="SQLAlchemy URL of the store (default: sentinel.yaml's store).",
)


@click.group("db")
def db() -> None:
    """The store's schema: which revision it is at, and the migrations that bring it up to date."""


@db.command()
@common_options
@STORE_OPTION
def upgrade(ws: Workspace, store: str | None) -> None:
    """Apply the migrations the store lacks (an empty store is created)."""
    opened = _open(ws, store)
    try:
        before, after = opened.upgrade()
    finally:
        opened.dispose()
    if before.current == after.current:
        ws.console.print(f"Store {opened.shown_url} is at {after.current}: nothing to upgrade.")
    else:
        ws.console.print(
            f"Store {opened.shown_url} upgraded from {_revision(before.current)} to "
            f"{after.current}."
        )


@db.command()
@common_options
@STORE_OPTION
def status(ws: Workspace, store: str | None) -> None:
    """The store's revision, this Sentinel's newest, and whether an upgrade is needed."""
    from sentinel.store.schema import UPGRADE_COMMAND

    opened = _open(ws, store)
    try:
        found = opened.schema_status()
    finally:
        opened.dispose()
    if found.empty:
        current = "none (empty store: created when first used, or by an upgrade)"
    elif found.legacy:
        current = "none (tables made before migrations: adopted when first used)"
    else:
        current = str(found.current)
    if not found.known:
        verdict = "the store is newer than this Sentinel: upgrade Sentinel"
    elif found.upgrade_needed:
        verdict = f"yes: run `{UPGRADE_COMMAND}`"
    else:
        verdict = "no"
    ws.console.print(f"Store:           {opened.shown_url}")
    ws.console.print(f"Revision:        {current}")
    ws.console.print(f"Sentinel's head: {found.head}")
    ws.console.print(f"Upgrade needed:  {verdict}")


def _open(ws: Workspace, store: str | None) -> Store:
    from sentinel.store import Store, store_url

    if store is not None:
        return Store(store_url(store, ws.config_dir.resolve()))
    config = ws.load_config()
    return Store(store_url(config.project.store, config.root))


def _revision(revision: str | None) -> str:
    return revision or "an empty store"
