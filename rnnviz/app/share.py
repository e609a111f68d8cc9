"""The page's address: the share box with its link, and the URL kept in step with the view.

Streamlit only; the parameters themselves are rnnviz.app.params.
"""

from __future__ import annotations

import streamlit as st

from rnnviz.app.params import PARAM_COMPARE, PARAM_TOUR, ViewState, share_link, share_query


def share_box(view: ViewState, own_model: bool) -> None:
    """The link that opens `view`; your own model cannot travel in it (the link names a shipped model instead)."""
    st.markdown(
        "**Share this view.** The address bar always holds the sentence, model, step and switch (and the model "
        "compared with, if any); copy it or this link:"
    )
    if own_model:
        st.caption(f"Your own model cannot travel in a link: this link opens the same sentence with {view.model}.")
    st.code(share_link(st.context.url or "http://localhost:8501/", view), language=None, wrap_lines=True)


def write_url(view: ViewState) -> None:
    for name, value in share_query(view).items():
        if st.query_params.get_all(name) != [value]:  # also folds a repeated key into one
            st.query_params[name] = value


def write_tour_url(tour: int | None) -> None:
    """?tour=N while tour step N is open; no tour parameter otherwise."""
    if not tour:
        if PARAM_TOUR in st.query_params:
            del st.query_params[PARAM_TOUR]
    elif st.query_params.get_all(PARAM_TOUR) != [str(tour)]:
        st.query_params[PARAM_TOUR] = str(tour)


def write_compare_url(compare: str | None) -> None:
    """?compare=MODEL while "Compare with" is on; no compare parameter otherwise (as ?tour=N)."""
    if compare is None:
        if PARAM_COMPARE in st.query_params:
            del st.query_params[PARAM_COMPARE]
    elif st.query_params.get_all(PARAM_COMPARE) != [compare]:
        st.query_params[PARAM_COMPARE] = compare
