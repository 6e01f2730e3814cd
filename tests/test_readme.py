"""The README's console transcripts are what the commands print on the seeded emulator.

``make readme`` (``python -m tools.readme --write``) regenerates them; this test runs them all
once, against one emulator, and fails with a diff when the README and the real output part.
"""

from __future__ import annotations

import pytest
from tools import readme

pytestmark = pytest.mark.xdist_group("readme")


# The transcripts run `sentinel route`, whose timed waits hang under libfaketime.
@pytest.mark.real_clock
def test_every_transcript_matches_what_the_commands_print() -> None:
    text = readme.README.read_text(encoding="utf-8")
    blocks = readme.find_blocks(text)
    assert len(blocks) >= 20

    results = readme.generate(text)

    unchecked = [f"README.md:{r.block.line}: {r.reason}" for r in results if r.text is None]
    stale = [r for r in results if r.stale]
    assert not stale, (
        f"{len(stale)} README transcript(s) differ from the commands' output "
        f"(run `make readme`):\n{readme.diff(results)}"
    )
    # Only blocks that need a program besides Python may go unchecked, and they say so.
    assert all("is not installed" in line for line in unchecked), unchecked


def test_every_console_block_with_a_sentinel_command_is_a_transcript() -> None:
    text = readme.README.read_text(encoding="utf-8")
    checked = {block.start for block in readme.find_blocks(text)}
    unmarked = []
    for fence in readme.FENCE.finditer(text):
        if fence.group("lang") == "console" and fence.start("body") not in checked:
            unmarked.append(text.count("\n", 0, fence.start()) + 1)
    assert unmarked == [], f"console blocks without a transcript marker at lines {unmarked}"


def test_excerpts_keep_the_lines_asked_for() -> None:
    lines = [f"line {n}" for n in range(1, 11)]
    assert readme._excerpt(lines, "1:3,-2:") == "line 1\nline 2\n...\nline 9\nline 10\n"
    assert readme._excerpt(lines, "1,-1:") == "line 1\n...\nline 10\n"
    assert readme._excerpt(lines, None) == "\n".join(lines) + "\n"
    # A command typed inside the part left out is kept: the next regeneration runs it.
    assert readme._excerpt(lines, "1,-1:", typed={4}) == "line 1\n...\nline 5\n...\nline 10\n"


def test_volatile_values_compare_through_their_placeholders() -> None:
    assert readme.normalised("Seeded in 2.5s: 44") == readme.normalised("Seeded in 11.9s: 44")
    assert readme.normalised("02:49:38 delivered") == readme.normalised("03:31:07 delivered")
    assert readme.normalised("44 resources") != readme.normalised("45 resources")


def test_a_stale_transcript_is_reported_with_a_diff_and_rewritten() -> None:
    text = "Intro\n\n<!-- transcript: exit=2 -->\n```console\n$ sentinel drift\nNo drift.\n```\n"
    [block] = readme.find_blocks(text)
    assert block.options == {"exit": "2"} and block.commands == ["sentinel drift"]
    now = "$ sentinel drift\nDrift: 1 resource(s) differ from the configuration.\n"
    result = readme.Result(block, now)

    assert result.stale
    shown = readme.diff([result])
    assert "-No drift." in shown and "+Drift: 1 resource(s)" in shown
    assert readme.regenerate(text, [result]) == text.replace("No drift.\n", now.split("\n", 1)[1])


def test_the_exit_code_table_is_the_one_the_commands_follow() -> None:
    from tools.readme import README, exit_code_section

    text = README.read_text(encoding="utf-8")
    assert "<!-- /exit-codes -->" in text
    assert exit_code_section(text) == text, "README.md's exit-code table is stale: make readme"
