"""Turn a submitted questionnaire form into the answers the response services take.

Inputs are named ``q<question id>``; a multiple-choice option is its own checkbox ``q<id>::<n>`` whose value is
the option, because a form submits one value per name.
"""

from __future__ import annotations

from typing import Any


def answers_from_form(form: dict[str, Any]) -> dict[int, object]:
    answers: dict[int, object] = {}
    for name, value in form.items():
        if not name.startswith("q"):
            continue
        head, _, option = name[1:].partition("::")
        if not head.isdigit():
            continue
        if option:
            if value not in ("", None, False):
                answers.setdefault(int(head), [])
                answers[int(head)].append(str(value))  # type: ignore[union-attr]
        else:
            answers[int(head)] = value
    return answers
