"""``accounts:`` is enforced: commands that write run only in a listed account (moto's is
123456789012), with one STS call a run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.emulator.extensions import install

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

REPOSITORY = Path(__file__).resolve().parents[2]
MOTO_ACCOUNT = "123456789012"
# Every command that writes to AWS or plans writes, as typed after `sentinel`.
GUARDED = [
    ["plan"],
    ["apply", "--auto-approve"],
    ["drift"],
    ["tags", "audit", "--fix", "--auto-approve"],
    ["route", "--drain"],
    ["daemon", "--once", "cost-report"],
    ["unlock", "--force"],
]


@pytest.fixture
def factories(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> list[SessionFactory]:
    """Commands build their factory on the test's session; each one built is recorded."""
    install()
    built: list[SessionFactory] = []
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        made = SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )
        built.append(made)
        return made

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)
    return built


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accounts: str) -> Path:
    """The repository's own configuration, copied, with ``accounts`` in sentinel.yaml."""
    root = tmp_path / "p2p"
    root.mkdir()
    text = (REPOSITORY / "sentinel.yaml").read_text(encoding="utf-8")
    (root / "sentinel.yaml").write_text(text + accounts, encoding="utf-8")
    for folder in ("alarms", "dashboards", "budgets", "monitors"):
        shutil.copytree(REPOSITORY / folder, root / folder)
    monkeypatch.setenv("P2P_PAGERDUTY_KEY", "pd-stand-in")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-stand-in")
    return root


def sentinel(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", GUARDED, ids=lambda c: " ".join(c))
def test_an_account_not_listed_is_refused_naming_it(
    command: list[str],
    factories: list[SessionFactory],
    aws: SessionFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = (
        "accounts:\n"
        '  - {id: "111122223333", name: production}\n'
        '  - {id: "444455556666", name: staging}\n'
    )
    root = project(tmp_path, monkeypatch, accounts)

    result = sentinel(*command, "-C", str(root))

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert f"error: the AWS credentials are for account {MOTO_ACCOUNT}, which" in said
    assert "does not list in `accounts:` (111122223333 (production), 444455556666 (staging))" in (
        said
    )
    assert f"add {MOTO_ACCOUNT} there" in said
    # Refused before anything was written.
    assert aws.client("sns").list_topics()["Topics"] == []
    assert aws.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert sum(f.counter.total("sts", "GetCallerIdentity") for f in factories) == 1


def test_a_listed_account_plans_with_one_sts_call(
    factories: list[SessionFactory], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, f'accounts:\n  - {{id: "{MOTO_ACCOUNT}", name: demo}}\n')

    result = sentinel("plan", "-C", str(root))

    assert result.exit_code == 0, result.output
    assert "Plan:" in result.output
    [factory] = factories
    assert factory.counter.total("sts", "GetCallerIdentity") == 1


def test_no_accounts_listed_is_not_checked(
    factories: list[SessionFactory], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, "")

    result = sentinel("tags", "audit", "--fix", "--auto-approve", "-C", str(root))

    assert result.exit_code in (0, 2), result.output
    assert "accounts:" not in result.output
