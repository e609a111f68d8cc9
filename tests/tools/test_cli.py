"""The `rnnviz` command dispatches to the app and the command-line tools."""

from __future__ import annotations

import pytest

from rnnviz.app import cli


def test_app_script_is_found():
    assert cli.app_script().name == "streamlit_app.py"


def test_help(capsys):
    cli.main(["--help"])
    assert "rnnviz train" in capsys.readouterr().out


def test_unknown_command_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bogus"])
    assert exit_info.value.code == 2
    assert "unknown command 'bogus'" in capsys.readouterr().err


def test_evaluate_dispatches(capsys, sst_dir):
    cli.main(["evaluate", "rnn-2", "--data", str(sst_dir), "--json"])
    assert '"model": "rnn-2"' in capsys.readouterr().out


@pytest.mark.parametrize("tool", cli.TOOLS)
def test_every_tool_is_reachable_and_in_the_help(tool, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([tool, "--help"])  # the tool's own argparse help
    assert exit_info.value.code == 0
    assert f"rnnviz.{tool}" in capsys.readouterr().out
    cli.main(["--help"])
    assert f"rnnviz {tool}" in capsys.readouterr().out
