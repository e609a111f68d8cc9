"""The advanced switch in the page's state and its link parameter, checked without a server."""

from __future__ import annotations

import pytest

from rnnviz.app.params import PARAM_ADVANCED, parse_params
from rnnviz.app.state import PageState


def test_the_switch_is_off_by_default_and_its_transition_changes_only_it():
    state = PageState(text="not bad", step=2)
    assert state.advanced is False
    on = state.advanced_switched(True)
    assert on.advanced is True and (on.text, on.step) == ("not bad", 2)
    assert on.advanced_switched(False).advanced is False


@pytest.mark.parametrize(("raw", "on"), [("1", True), ("on", True), (["0", "1"], True), ("0", False), ("x", False)])
def test_a_link_turns_it_on_with_advanced_1(raw, on):
    assert PageState.from_link({"text": "good", PARAM_ADVANCED: raw}).advanced is on
    assert PageState.from_link({"text": "good"}).advanced is False


def test_the_parameter_is_not_an_unknown_one():
    _, notes = parse_params({PARAM_ADVANCED: "1", "text": "good"})
    assert notes == []
