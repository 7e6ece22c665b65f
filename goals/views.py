"""The goal pages: every goal with its progress, set a new one, follow, change or remove one.

Thin: forms read what was typed, goals.services decides, goals.selectors measure progress.
Reading goals needs only an account; setting, changing and removing them needs a confirmed email
address, as in the API (accounts.permissions.IsVerified): an unconfirmed person is told how to
confirm instead of being shown the form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from carbon_site.errors import NotFoundError
from footprints.charts import kg_text
from footprints.dashboard_views import TimeChart, TimeSeries, time_line_chart
from footprints.selectors import footprint_list

from . import selectors, services
from .forms import GoalCreateForm, GoalEditForm
from .models import UserGoal

READ_AND_WRITE = ["GET", "HEAD", "POST"]


def _today() -> datetime.date:
    return timezone.now().date()


def _own(request, goal_uuid) -> UserGoal:
    try:
        return selectors.goal_get_own(user=request.user, goal_uuid=goal_uuid)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _with_progress(goal: UserGoal, user) -> selectors.GoalWithProgress:
    [item] = selectors.goals_with_progress(goals=[goal], user=user, today=_today())
    return item


@require_safe
@login_required
def goal_list(request):
    """Every goal, newest first, with its progress and the counts by status."""
    user = request.user
    goals = selectors.goals_with_progress(
        goals=selectors.goal_list(user=user), user=user, today=_today()
    )
    return render(
        request, "goals/list.html", {"goals": goals, "stats": selectors.goal_stats(user=user)}
    )


@require_http_methods(READ_AND_WRITE)
@login_required
def goal_create(request):
    """Set a goal, measured from the latest footprint."""
    if not request.user.is_verified:
        return render(
            request,
            "goals/create.html",
            {"form": None},
            status=403 if request.method == "POST" else 200,
        )
    form = GoalCreateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.goal_create(
                user=request.user,
                goal_type=data["goal_type"],
                target_date=data["target_date"],
                reduction_percentage=data["reduction_percentage"],
                target_emissions=data["target_emissions"],
                category=data["category"],
                description=data["description"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your goal is set.")
            return redirect("goals:detail", goal_uuid=goal.uuid)
    return render(request, "goals/create.html", {"form": form})


# --- One goal ------------------------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True, slots=True)
class PathRow:
    what: str
    day: datetime.date
    kg: float


def _path(goal: UserGoal, user) -> tuple[TimeChart | None, list[PathRow]]:
    """The straight path from the baseline (the day the goal was set) to the target on its date,
    and the footprints recorded since, in the number the goal watches."""
    if goal.baseline_emissions is None or goal.target_emissions is None:
        return None, []
    start = goal.created_at.date()
    since = list(footprint_list(user=user, date_from=start))[::-1]  # oldest first
    actual = [
        (footprint.calculation_date.date(), float(goal.emissions_of(footprint)))
        for footprint in since
    ]
    ends = [
        (start, float(goal.baseline_emissions)),
        (goal.target_date, float(goal.target_emissions)),
    ]
    chart = time_line_chart(
        [
            TimeSeries("path", "The straight path to your target", ends, tone="target"),
            TimeSeries("actual", "Your footprint", actual),
        ],
        date_label=_day,
        value_label=kg_text,
    )
    rows = [
        PathRow("Where you started", *ends[0]),
        *(PathRow("Calculation", day, kg) for day, kg in actual),
        PathRow("Target", *ends[1]),
    ]
    return chart, rows


def _render_detail(request, goal: UserGoal, form=None, *, status: int = 200):
    item = _with_progress(goal, request.user)
    if form is None and goal.status == UserGoal.Status.ACTIVE and request.user.is_verified:
        form = GoalEditForm(goal=goal)
    chart, path_rows = _path(goal, request.user)
    context = {"item": item, "goal": goal, "form": form, "chart": chart, "path_rows": path_rows}
    return render(request, "goals/detail.html", context, status=status)


@require_http_methods(READ_AND_WRITE)
@login_required
def goal_detail(request, goal_uuid):
    """A goal's progress and path; its owner changes the date, notes or target here."""
    goal = _own(request, goal_uuid)
    if request.method != "POST":
        return _render_detail(request, goal)
    if not request.user.is_verified:
        return _render_detail(request, goal, status=403)
    form = GoalEditForm(request.POST, goal=goal)
    if form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing was changed.")
            return redirect("goals:detail", goal_uuid=goal.uuid)
        try:
            services.goal_update(goal=goal, changes=changes)
        except ValidationError as error:
            form.add_service_errors(error)
            goal.refresh_from_db()  # the page shows what is stored, not the refused change
        else:
            messages.success(request, "Your goal is updated.")
            return redirect("goals:detail", goal_uuid=goal.uuid)
    return _render_detail(request, goal, form)


@require_http_methods(READ_AND_WRITE)
@login_required
def goal_delete(request, goal_uuid):
    """Ask first; remove the goal on the POST that confirms it."""
    goal = _own(request, goal_uuid)
    if request.method == "POST" and request.user.is_verified:
        services.goal_delete(goal=goal)
        messages.success(request, "Your goal is removed.")
        return redirect("goals:list")
    status = 403 if request.method == "POST" else 200
    return render(request, "goals/delete.html", {"goal": goal}, status=status)
