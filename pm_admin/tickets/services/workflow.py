"""The ticket workflow as one table: each named action, the statuses it starts from, where it leads, what it
needs and who may take it.

The actions (``actions``) enforce it; the detail page offers its buttons from it; the board reads it to dim
the columns a card may not be dropped on, and to know which action a drop means.
"""

from __future__ import annotations

import dataclasses

from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import Status

W = Status
BEFORE_RESOLVED = (W.NEW, W.ASSIGNED, W.IN_PROGRESS, W.ON_HOLD)


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    sources: tuple[Status, ...]
    target: Status
    needs: tuple[str, ...] = ()  # fields the user must give (the board asks for them in a dialog)
    by_assignee: bool = False  # the assignee (a technician, tickets.own) may take it on their own order
    manager_from: tuple[Status, ...] = ()  # from these statuses only a manager (tickets.approve) may
    without_callback: bool = False  # only for kinds that need no callback (anonymous feedback, inquiries)


ACTIONS: dict[str, Action] = {action.name: action for action in (
    Action("assign", (W.NEW, W.ASSIGNED, W.IN_PROGRESS), W.ASSIGNED, ("assignee_id",)),
    Action("start", (W.ASSIGNED,), W.IN_PROGRESS, by_assignee=True),
    Action("hold", (W.IN_PROGRESS,), W.ON_HOLD, ("reason", "hold_until"), by_assignee=True),
    Action("resume", (W.ON_HOLD,), W.IN_PROGRESS, by_assignee=True),
    Action("resolve", (W.IN_PROGRESS,), W.RESOLVED, ("resolution",), by_assignee=True),
    Action("reopen", (W.RESOLVED, W.CLOSED), W.IN_PROGRESS, ("reason",), manager_from=(W.CLOSED,)),
    Action("close_with_note", (W.RESOLVED,), W.CLOSED, ("reason",), without_callback=True),
    Action("cancel", BEFORE_RESOLVED, W.CANCELLED, ("reason",)),
    Action("mark_invalid", BEFORE_RESOLVED, W.INVALID, ("reason",)),
)}
# Closing after a callback (satisfied, or a manager's decision after three unreachable attempts) is not taken
# from the board: the callback dialog takes it (``actions.close_after_callback``).


def action_named(name: str) -> Action:
    action = ACTIONS.get(name)
    if action is None:
        raise DomainError("tickets.move_not_allowed")
    return action


def may_take(actor: Principal, action: Action, status: Status, assignee_id: int | None) -> bool:
    """The actor's role allows the action from ``status`` (the callback rule is the caller's)."""
    if status in action.manager_from and not actor.has(Perm.TICKETS_APPROVE):
        return False
    own_order = action.by_assignee and assignee_id == actor.user_id and actor.has(Perm.TICKETS_OWN)
    return actor.has(Perm.TICKETS_WORK) or own_order


# Who may take any workflow action at all: what the board's and the detail page's handlers require.
MOVERS = (Perm.TICKETS_WORK, Perm.TICKETS_OWN)


def available(actor: Principal, status: Status, assignee_id: int | None, needs_callback: bool) -> list[Action]:
    """The actions the actor may take now, in table order (the detail page's buttons)."""
    return [action for action in ACTIONS.values()
            if status in action.sources and not (action.without_callback and needs_callback)
            and may_take(actor, action, status, assignee_id)]


def action_for_drop(source: Status, target: Status, needs_callback: bool) -> Action:
    """What dropping a card of ``source`` on the ``target`` column means, or why it is refused."""
    for action in ACTIONS.values():
        if source in action.sources and action.target == target \
                and not (action.without_callback and needs_callback):
            return action
    raise DomainError(explain_refusal(source, target))


def drop_targets(actor: Principal, status: Status, assignee_id: int | None, needs_callback: bool) -> list[str]:
    """The columns a card may be dropped on (the board dims the others while it is dragged)."""
    return [str(action.target) for action in available(actor, status, assignee_id, needs_callback)
            if action.target != status]


def denial(action: Action, source: Status) -> str:
    """Why the table's action for a move is not the actor's to take, as a catalog key."""
    return "tickets.reopen_closed_needs_manager" if source in action.manager_from else "error.permission_denied"


def refusals(actor: Principal, status: Status, assignee_id: int | None, needs_callback: bool,
             targets: tuple[Status, ...]) -> dict[str, str]:
    """Why each of ``targets`` refuses this card, as catalog keys: the complement of ``drop_targets`` (the board
    dims these columns while the card is dragged and shows the reason), answered as a drop there would be."""
    allowed = set(drop_targets(actor, status, assignee_id, needs_callback))
    reasons: dict[str, str] = {}
    for target in targets:
        if target == status or str(target) in allowed:
            continue
        try:
            action = action_for_drop(status, target, needs_callback)
        except DomainError as refusal:
            reasons[str(target)] = refusal.key
        else:  # the table has the move, the actor's role does not
            reasons[str(target)] = denial(action, status)
    return reasons


def label(action: Action, source: Status) -> str:
    """The button's action key: reassigning reads differently from the first assignment."""
    return "reassign" if action.name == "assign" and source != W.NEW else action.name


def explain_refusal(source: Status, target: Status) -> str:
    """Why a move is not allowed, as a catalog key (the board shows it when a card snaps back)."""
    if target == W.CLOSED:
        return "tickets.close_needs_callback"
    if target == W.NEW:
        return "tickets.no_back_to_new"
    if source in (W.CANCELLED, W.INVALID, W.CLOSED):
        return "tickets.finished"
    if source == W.NEW:
        return "tickets.assign_first"
    if source == W.RESOLVED:
        return "tickets.resolved_goes_to_callback"
    if target == W.RESOLVED:
        return "tickets.start_first"
    if target == W.ON_HOLD:
        return "tickets.hold_only_in_progress"
    return "tickets.move_not_allowed"
