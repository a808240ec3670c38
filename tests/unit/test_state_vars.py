"""Class constants of states (``_PICKERS``, ``_PATH`` …) are declared ``ClassVar``: an undeclared one becomes part of
every stored copy of the state, and one holding functions (the pickers' lambdas) cannot be pickled, so with Redis
every event of that page failed."""

import pm_admin.pages  # noqa: F401 - loads every page state
from tests.unit.test_guard import app_states


def _is_constant(name: str) -> bool:
    core = name.lstrip("_")
    return name.startswith("_") and core.replace("_", "").isupper() and not name.startswith("__")


def test_every_class_constant_of_a_state_is_a_classvar():
    undeclared = []
    for cls in app_states():
        annotations = cls.__dict__.get("__annotations__", {})
        for name in vars(cls):
            if _is_constant(name) and "ClassVar" not in str(annotations.get(name, "")):
                undeclared.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert undeclared == []
