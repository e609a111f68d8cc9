"""The page's state (rnnviz.app.state.PageState): every transition, checked without a server."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from types import SimpleNamespace

import pytest

from rnnviz.app import DEFAULT_MODEL, DEFAULT_TEXT, EXAMPLES, MAX_TEXT_CHARS, Example, Preset
from rnnviz.app.custom_model import CUSTOM_MODEL
from rnnviz.app.state import Drawn, PageState, Touched
from rnnviz.app.tour import TOUR

T = 5  # words in the sentence the runs below read


def test_the_state_is_frozen_and_every_transition_returns_a_new_one():
    state = PageState()
    with pytest.raises(FrozenInstanceError):
        state.step = 3  # type: ignore[misc]
    assert state.step_picked(2) is not state and state.step is None


def test_a_plain_visit_reads_the_default_sentence_at_its_end():
    state = PageState.from_link({})
    assert (state.text, state.model, state.goldfish, state.step) == (DEFAULT_TEXT, DEFAULT_MODEL, False, None)
    assert state.link_step is None and state.tour is None and state.notes == () and not state.playing
    assert state.step_fitted(T).step == T


def test_a_link_sets_text_model_switch_and_a_pending_step():
    state = PageState.from_link({"text": ["good film"], "model": ["gru-64"], "step": ["2"], "goldfish": ["1"]})
    assert (state.text, state.model, state.goldfish, state.link_step) == ("good film", "gru-64", True, 2)
    assert state.step_fitted(T).step == 2


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"step": ["abc"]}, "not a whole number"),
        ({"step": ["0"]}, "outside"),
        ({"step": ["-3"]}, "outside"),
        ({"model": ["gpt-9"]}, "does not exist"),
        ({"goldfish": ["maybe"]}, "not on/off"),
        ({"colour": ["red"]}, "does not use"),
        ({"text": ["a", "b"]}, "more than once"),
        ({"tour": ["99"]}, "steps 1 to"),
        ({"tour": ["two"]}, "not a whole number"),
        ({"compare": ["gpt-9"]}, "compare with a model called 'gpt-9', which does not exist; compare is off"),
        ({"compare": ["gru-64", "lstm-64"]}, "more than once"),
    ],
)
def test_odd_link_parameters_are_noted_and_ignored(params, said):
    state = PageState.from_link(params)
    assert any(said in note for note in state.notes), state.notes
    assert state.compare in (None, "lstm-64")  # an unknown model turns compare off; a repeated one counts by its last
    assert state.model in (DEFAULT_MODEL, *(t.model for t in TOUR))
    assert state.link_step in (None, *(t.step for t in TOUR))


def test_a_link_step_past_the_end_shows_the_last_word_once_with_one_note():
    state = PageState.from_link({"text": ["good"], "step": ["9"]}).step_fitted(1)
    assert state.step == 1
    assert state.notes == ("The link's step 9 is past the last word (1); showing the last word.",)
    assert state.step_fitted(1).notes == state.notes  # a second run does not repeat it


def test_the_link_step_wins_until_shown_then_the_readers_step_counts():
    state = PageState.from_link({"step": ["2"]}).with_controls(DEFAULT_TEXT, DEFAULT_MODEL, False, 4)
    assert state.step_fitted(T).step == 2  # the slider's stale value loses to the link
    shown = state.step_fitted(T).step_shown(2, T).link_shown()
    assert shown.link_step is None
    assert shown.step_picked(4).step_fitted(T).step == 4


def test_a_tour_link_opens_its_step_and_wins_over_the_links_view():
    state = PageState.from_link({"tour": ["3"], "text": ["something else"], "model": ["lstm-64"]})
    tour = TOUR[2]
    assert state.tour == 3
    assert (state.text, state.model, state.goldfish, state.step, state.link_step) == (
        tour.text,
        tour.model,
        tour.goldfish,
        tour.step,
        tour.step,
    )


def test_tour_next_back_and_close():
    state = PageState().tour_opened(1)
    assert state.tour_back() == state  # Back is a no-op on the first step
    state = state.tour_next()
    assert state.tour == 2 and state.text == TOUR[1].text and state.link_step == TOUR[1].step
    assert state.tour_back().tour == 1
    last = state.tour_opened(len(TOUR))
    assert last.tour_next().tour is None  # Done closes it
    closed = state.tour_closed()
    assert closed.tour is None and closed.text == state.text  # the views stay where the tour left them
    assert PageState().tour_next().tour is None


@pytest.mark.parametrize(("asked", "opened"), [(0, 1), (-4, 1), (len(TOUR) + 3, len(TOUR))])
def test_a_tour_step_out_of_range_is_clamped(asked, opened):
    assert PageState().tour_opened(asked).tour == opened


def test_opening_a_tour_step_stops_play():
    assert not PageState(playing=True).tour_opened(2).playing


def test_typing_keeps_at_most_the_box_length():
    assert PageState().typed("x" * (MAX_TEXT_CHARS + 50)).text == "x" * MAX_TEXT_CHARS
    assert PageState().typed("").text == ""
    assert PageState(step=3).typed("new words").step == 3  # the step is fitted later, against the new length


def test_a_preset_shows_its_whole_sentence_and_stops_play():
    state = PageState(step=2, playing=True).preset_picked(EXAMPLES[1].text)
    assert (state.text, state.step, state.playing) == (EXAMPLES[1].text, None, False)


def test_model_and_switch():
    state = PageState().model_picked("lstm-64").goldfish_switched(1)
    assert (state.model, state.goldfish) == ("lstm-64", True)


def test_picking_a_step_stops_play_and_a_click_without_a_step_changes_nothing():
    state = PageState(playing=True, step=1)
    assert state.step_picked(None) is state
    picked = state.step_picked(3)
    assert (picked.step, picked.playing) == (3, False)
    assert state.step_picked(0).step == 1


def test_with_controls_takes_the_widgets_values_and_keeps_missing_ones():
    state = PageState(text="a", model="rnn-64", goldfish=True, step=2)
    assert state.with_controls("b c", "gru-64", False, None) == replace(
        state, text="b c", model="gru-64", goldfish=False, step=None
    )
    assert state.with_controls(None, None, None, 2) == state


@pytest.mark.parametrize(("step", "n_steps", "shown"), [(None, T, T), (3, T, 3), (9, T, T), (0, T, 1), (-2, T, 1)])
def test_the_step_is_clamped_to_the_sentence(step, n_steps, shown):
    assert PageState(step=step).step_fitted(n_steps).step == shown


def test_a_step_at_the_end_follows_the_sentence_as_it_grows():
    state = PageState(text="this movie is not good").step_fitted(5).step_shown(5, 5)
    longer = state.typed("this movie is not good at all").with_controls(None, None, None, 5)
    assert longer.step_fitted(7).step == 7
    chosen = longer.step_fitted(7).step_shown(4, 7).typed("this movie is not good at all , really")
    assert chosen.step_fitted(9).step == 4  # a step chosen inside the sentence stays
    assert chosen.step_shown(4, 9).typed("short text").step_fitted(2).step == 2  # clamped to the new end


def test_a_new_model_keeps_a_step_at_the_end_at_the_end():
    state = PageState().step_fitted(5).step_shown(5, 5).model_picked("gru-64")
    assert state.step_fitted(7).step == 7
    assert state.drawn == Drawn(DEFAULT_MODEL, DEFAULT_TEXT, 5, 5)


def test_play_starts_from_the_first_word_at_the_end_and_from_the_step_inside():
    assert PageState(step=None).play_toggled(T, now=10.0) == PageState(step=1, playing=True, play_started=10.0)
    assert PageState(step=T).play_toggled(T, now=1.0).step == 1
    assert PageState(step=2).play_toggled(T, now=1.0).step == 2
    assert not PageState(step=2, playing=True).play_toggled(T, now=1.0).playing  # pause
    assert not PageState().play_toggled(1, now=1.0).playing  # one word: nothing to play


def test_each_play_has_its_own_name_and_the_step_the_browser_reports_ends_it():
    first = PageState(step=1).play_toggled(T, now=100.0)
    again = first.play_toggled(T, now=101.0).play_toggled(T, now=102.0)
    assert again.playing and again.play_started != first.play_started
    assert (first.step_picked(T).step, first.step_picked(T).playing) == (T, False)


def test_link_notes_stay_until_the_text_or_model_changes():
    state = PageState.from_link({"step": ["abc"]})
    state, shown = state.link_notes()
    assert len(shown) == 1 and state.notes_for == (DEFAULT_TEXT, DEFAULT_MODEL)
    again, shown_again = state.step_picked(2).link_notes()  # a run that changes neither keeps them
    assert shown_again == shown
    cleared, none = again.typed("another sentence").link_notes()
    assert none == () and cleared.notes == ()
    assert cleared.typed(DEFAULT_TEXT).link_notes()[1] == ()  # gone for good


def test_an_empty_text_is_a_state_like_any_other():
    state = PageState.from_link({"text": [""]})
    assert state.text == "" and state.notes == ()
    assert state.preset_picked("").text == ""


def test_your_own_model_joins_the_picker_and_leaves_with_its_upload():
    own = SimpleNamespace(source="upload")
    state = PageState(own_error="old").upload_seen("file-1").own_model_adopted(own)
    assert (state.own, state.own_file, state.own_error, state.model) == (own, "file-1", None, CUSTOM_MODEL)
    gone = state.upload_seen(None)
    assert (gone.own, gone.own_file, gone.own_error) == (None, None, None)
    assert gone.own_model_checked().model == DEFAULT_MODEL  # "yours" without a model falls back
    assert state.own_model_checked() is state


def test_a_playground_model_outlives_an_emptied_uploader_and_a_refusal_is_kept():
    own = SimpleNamespace(source="playground")
    state = PageState().own_model_adopted(own).upload_seen("f").upload_seen(None)
    assert state.own is own and state.model == CUSTOM_MODEL
    assert PageState().upload_seen(None) == PageState()
    refused = PageState().upload_seen("f").own_model_refused("too big")
    assert refused.own_error == "too big" and refused.own is None and refused.model == DEFAULT_MODEL
    assert refused.upload_seen(None).own_error is None  # the refused upload was removed: so is its message


def test_preset_is_the_pages_example_type_and_example_is_its_old_name():
    assert Example is Preset
    assert all(isinstance(p, Preset) for p in EXAMPLES)


# -- touching rnn-2's weights -------------------------------------------------------------------------
TRAINED = ((0.5, -0.75), (-1.0, 0.25))  # a stand-in for rnn-2's trained W


def test_the_trained_weights_until_the_reader_touches_them():
    state = PageState(model="rnn-2")
    assert state.touched is None and state.edit is None
    assert PageState.from_link({"model": ["rnn-2"], "text": ["good"]}).touched is None  # a link never carries them


def test_setting_one_entry_keeps_the_others_trained_and_a_second_builds_on_it():
    state = PageState(model="rnn-2").set_w(0, 1, 2.0, TRAINED)
    assert state.edit == Touched("rnn-2", ((0.5, 2.0), (-1.0, 0.25)), 1.0)
    again = state.set_w(1, 0, 0.0, TRAINED)
    assert again.edit is not None and again.edit.W == ((0.5, 2.0), (0.0, 0.25))
    assert all(isinstance(v, float) for row in again.edit.W for v in row)
    assert state.edit.W == ((0.5, 2.0), (-1.0, 0.25))  # a new state: the old one is unchanged


def test_w_zero_keeps_the_input_scale_and_reset_restores_everything():
    scaled = PageState(model="rnn-2").set_input_scale(0.5, TRAINED)
    assert scaled.edit == Touched("rnn-2", TRAINED, 0.5)
    zero = scaled.zero_w(TRAINED)
    assert zero.edit == Touched("rnn-2", ((0.0, 0.0), (0.0, 0.0)), 0.5)
    assert zero.reset_w().touched is None and zero.reset_w().edit is None
    assert zero.reset_w().text == zero.text and zero.reset_w().model == "rnn-2"


def test_moving_back_to_the_trained_weights_is_no_edit():
    state = PageState(model="rnn-2").set_w(0, 0, 3.0, [list(row) for row in TRAINED])  # nested lists work too
    assert state.set_w(0, 0, 0.5, TRAINED).touched is None
    assert PageState(model="rnn-2").set_input_scale(2.0, TRAINED).set_input_scale(1, TRAINED).touched is None


def test_odd_numbers_change_nothing():
    state = PageState(model="rnn-2").set_w(0, 0, 1.5, TRAINED)
    assert state.set_w(1, 1, float("nan"), TRAINED) == state
    assert state.set_input_scale(float("inf"), TRAINED) == state


def test_the_weights_belong_to_the_model_they_were_set_on():
    state = PageState(model="rnn-2").zero_w(TRAINED)
    away = state.model_picked("gru-64")
    assert away.edit is None and away.touched == state.touched  # another model runs on its own weights
    assert away.model_picked("rnn-2").edit == state.edit  # and back: the edit is still there
    assert state.preset_picked("not bad").edit == state.edit  # examples read with the edited weights


def test_the_tour_tells_the_trained_model():
    assert PageState(model="rnn-2").zero_w(TRAINED).tour_opened(1).touched is None


# -- "Compare with": a second model reading the same sentence ------------------------------------------
def test_compare_is_off_by_default_and_a_link_turns_it_on():
    assert PageState().compare is None and PageState.from_link({}).compare is None
    state = PageState.from_link({"text": ["not bad"], "model": ["rnn-2"], "compare": ["gru-64"]})
    assert (state.model, state.compare, state.notes) == ("rnn-2", "gru-64", ())


@pytest.mark.parametrize("off", ["", "0", "off", "none", "OFF"])
def test_an_empty_or_off_compare_link_leaves_it_off_without_a_note(off):
    state = PageState.from_link({"compare": [off]})
    assert state.compare is None and state.notes == ()


def test_picking_a_model_to_compare_with_and_turning_it_off():
    state = PageState(text="this movie is not bad", step=4).compare_picked("gru-64")
    assert (state.compare, state.text, state.step, state.model) == ("gru-64", "this movie is not bad", 4, DEFAULT_MODEL)
    assert state.compare_picked(None).compare is None
    assert state.compare_picked("").compare is None
    assert state.compare_picked("gpt-9").compare is None  # only a shipped model can be compared with


def test_compare_stays_while_the_reader_types_steps_and_switches_the_model():
    state = PageState().compare_picked("lstm-64")
    after = state.typed("good").step_picked(1).model_picked("gru-64").goldfish_switched(True).preset_picked("bad")
    assert after.compare == "lstm-64"
    # the tour sets the whole view, the comparison too: its own second model on the step about two models, else none
    assert state.tour_opened(2).compare is None
    two = next(n for n, s in enumerate(TOUR, start=1) if s.compare)
    assert state.tour_opened(two).compare == TOUR[two - 1].compare != state.model
