"""The filter bar of a ``UrlFilters`` state: pickers, switches, typed inputs and a reset that clears them all.

    filter_bar(RoomsState, *place_pickers(RoomsState), choose(RoomsState, "occupancy", OCCUPANCY_OPTIONS, …),
               search="places.search_rooms")

Pickers and switches apply at once; typed inputs (the search box, dates) apply on Enter or the button. The
typed inputs sit in one form keyed by ``filter_key``, so a reset (or a saved view, or a link) shows their
new values instead of what was typed before.
"""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.i18n import t, t_prefixed


def _select(options, value: rx.Var, on_change, *, all_key: str, label_prefix: str | None, testid: str,
            min_width: str = "130px") -> rx.Component:
    """A dropdown whose first entry ("all") clears the filter."""
    def item(option):
        label = t_prefixed(label_prefix, option["value"]) if label_prefix else option["label"]
        return rx.select.item(label, value=option["value"])

    return rx.select.root(
        rx.select.trigger(min_width=min_width, data_testid=testid),
        rx.select.content(rx.select.item(t(all_key), value="all"), rx.foreach(options, item)),
        value=rx.cond(value == "", "all", value),
        on_change=on_change,
    )


def pick(state, key: str, all_key: str, *, label_prefix: str | None = None, testid: str | None = None) -> rx.Component:
    """A picker over options the server loaded (``state.choices[key]``)."""
    return _select(state.choices[key].to(list[dict[str, str]]), state.filters[key].to(str),
                   lambda value: state.set_filter(key, value), all_key=all_key, label_prefix=label_prefix,
                   testid=testid or f"filter-{key}")


def choose(state, key: str, options: list[dict[str, str]], all_key: str, *, label_prefix: str | None = None,
           testid: str | None = None) -> rx.Component:
    """A picker over fixed options (labels from the catalog with ``label_prefix``)."""
    return _select(options, state.filters[key].to(str), lambda value: state.set_filter(key, value), all_key=all_key,
                   label_prefix=label_prefix, testid=testid or f"filter-{key}")


def _after(state, parent: str, hint_key: str, picker: rx.Component, testid: str) -> rx.Component:
    """A picker that has nothing to offer until ``parent`` is chosen says so instead of opening empty."""
    return rx.cond(state.filters[parent].to(str) == "",
                   rx.select.root(rx.select.trigger(placeholder=t(hint_key), min_width="130px", data_testid=testid),
                                  rx.select.content(rx.select.item(t(hint_key), value="none", disabled=True)),
                                  disabled=True),
                   picker)


def place_pickers(state) -> list[rx.Component]:
    """Community → building → unit; each narrows the next (and says so until its parent is chosen)."""
    return [pick(state, "community", "shell.all_communities"),
            _after(state, "community", "places.choose_community_first",
                   pick(state, "building", "places.all_buildings"), "filter-building"),
            _after(state, "building", "places.choose_building_first",
                   pick(state, "unit", "places.all_units"), "filter-unit")]


def switch(state, key: str, label_key: str, *, testid: str | None = None) -> rx.Component:
    return rx.checkbox(t(label_key), checked=state.filters[key].to(str) == "1",
                       on_change=lambda on: state.toggle_filter(key, on), data_testid=testid or f"filter-{key}")


def typed(state, key: str, *, label_key: str | None = None, placeholder_key: str | None = None,
          width: str = "150px", **props) -> rx.Component:
    """A typed filter (for ``typed_filters``): its value from the URL, sent with the others on Enter."""
    control = rx.input(name=key, default_value=state.filters[key].to(str), width=width,
                       placeholder=t(placeholder_key) if placeholder_key else None, **props)
    if label_key is None:
        return control
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"), control, spacing="1")


def typed_filters(state, *inputs: rx.Component, submit_key: str = "common.filter") -> rx.Component:
    """Typed filters and their button, remounted (``filter_key``) whenever the filters change under them."""
    return rx.form(
        rx.hstack(*inputs, rx.button(t(submit_key), type="submit", variant="soft"), spacing="2", align="end"),
        on_submit=state.submit_filters,
        key=state.filter_key.to(str),
        width="auto",
    )


def search(state, placeholder_key: str = "common.search", *, key: str = "q", icon: str = "search",
           testid: str = "search-input", width: str = "220px") -> rx.Component:
    """A search box: one typed filter (``q`` unless the page has several)."""
    return typed_filters(state, rx.input(rx.input.slot(rx.icon(icon, size=14)), name=key,
                                         default_value=state.filters[key].to(str), placeholder=t(placeholder_key),
                                         aria_label=t(placeholder_key), title=t(placeholder_key), width=width,
                                         data_testid=testid),
                         submit_key="common.search")


def reset_button(state) -> rx.Component:
    return rx.button(rx.icon("rotate-ccw", size=14), t("common.reset"), variant="ghost", on_click=state.clear_filters,
                     data_testid="filters-reset")


def filter_bar(state, *controls: rx.Component, search_key: str | None = None, reset: bool = True,
               end: list[rx.Component] | None = None) -> rx.Component:
    """One row (wrapping) of a page's filters: the search box (``search_key`` its placeholder), the controls,
    reset, and at the far end the page's own buttons (``end``)."""
    parts = [*([search(state, search_key)] if search_key else []), *controls]
    if reset:
        parts.append(reset_button(state))
    if end:
        parts += [rx.spacer(), *end]
    return rx.flex(*parts, spacing="3", wrap="wrap", align="center", width="100%", padding_bottom="12px",
                   data_testid="filter-bar")
