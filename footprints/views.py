"""The calculator's pages: the detailed and quick calculators, a result, the methodology.

Thin: forms check what was typed, `footprint_record` computes and stores, the selectors read.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from carbon_site.config import feature_check, feature_required
from carbon_site.errors import FieldErrors, NotFoundError
from carbon_site.http import RequestMeta
from carbon_site.ratelimits import RateLimited, rate_limit_hit

from . import charts, engine
from .engine.calculate import NATIONAL_RANGE_MULTIPLE, PENALTIES
from .engine.factors import EMBER_SOURCE, EMBER_URL, EMBER_YEAR, assumptions, country_averages
from .engine.inputs import FIELD_CAPS, SHARE
from .engine.methodology import training_report
from .forms import (
    CATEGORY_LABELS,
    COUNTRY_NAMES,
    REVIEW_STEP,
    STEPS,
    CalculatorDraft,
    QuickForm,
    add_engine_errors,
    country_from_accept_language,
)
from .models import CATEGORIES, CarbonFootprint
from .selectors import footprint_get_readable, footprint_result
from .services import footprint_record
from .session_claims import session_claim_remember, session_claim_token

CHART_TARGET_LABEL = "1.5 °C target for 2030"
# A result shows the actions that save the most first; the rest wait behind "more actions".
RESULT_TOP_ACTIONS = 5


def _user_or_none(request):
    return request.user if request.user.is_authenticated else None


def _default_country(request) -> str:
    return country_from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or ""


def _record(request, *, answers: dict, mode: str):
    """Record a calculation for the visitor; an anonymous author keeps its claim in the session."""
    user = _user_or_none(request)
    if user is None:
        feature_check("anonymous_calculations")
        rate_limit_hit(
            request, group="footprints.anonymous", rate=settings.RATELIMIT_ANONYMOUS_CALCULATION
        )
    recorded = footprint_record(
        user=user, answers=answers, request_meta=RequestMeta.from_request(request), mode=mode
    )
    if recorded.claim_token:
        session_claim_remember(
            request,
            calculation_uuid=recorded.footprint.calculation_uuid,
            claim_token=recorded.claim_token,
        )
    return recorded.footprint


def _result_redirect(footprint: CarbonFootprint) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("result", args=[footprint.calculation_uuid]))


def _rate_limited(response, error: RateLimited):
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after)
    return response


# --- Detailed calculator --------------------------------------------------------------------------


def _step_url(number: int) -> str:
    return f"{reverse('calculate')}?step={number}"


def _render_step(request, draft: CalculatorDraft, number: int, form=None, *, alerts=()):
    step = STEPS[number - 1]
    if form is None and step.form_class is not None:
        form = draft.form(number, default_country=_default_country(request))
    context = {
        "step": step,
        "number": number,
        "total": len(STEPS),
        "steps": [
            {"number": n, "title": s.title, "reachable": n <= draft.reached}
            for n, s in enumerate(STEPS, 1)
        ],
        "form": form,
        "previous": number - 1 if number > 1 else None,
        "can_review": draft.reached == REVIEW_STEP and number < REVIEW_STEP,
        "review": draft.review() if number == REVIEW_STEP else (),
        "country_name": COUNTRY_NAMES.get(draft.country or "", ""),
        "alerts": alerts,
    }
    return render(request, "footprints/calculate.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def calculate(request):
    """The detailed calculator: one step per category, answers kept in the session."""
    draft = CalculatorDraft.load(request.session)
    if request.method != "POST":
        return _render_step(request, draft, draft.step_number(request.GET.get("step", 1)))
    number = draft.step_number(request.POST.get("step"))
    if str(number) != request.POST.get("step"):
        # A step not reached yet (an old tab, a finished calculation): go where the draft is.
        return HttpResponseRedirect(_step_url(draft.reached))
    if number == REVIEW_STEP:
        if "back" in request.POST:
            return HttpResponseRedirect(_step_url(number - 1))
        return _submit(request, draft)
    form = draft.form(number, request.POST)
    going_back = "back" in request.POST
    if form.is_valid():
        draft.keep(number, form)
        if going_back:
            target = number - 1
        elif "review" in request.POST:
            target = REVIEW_STEP
        else:
            target = number + 1
        draft.advance(target)
        draft.save(request.session)
        return HttpResponseRedirect(_step_url(max(target, 1)))
    if going_back and number > 1:
        return HttpResponseRedirect(_step_url(number - 1))  # nothing invalid is kept
    return _render_step(request, draft, number, form)


def _submit(request, draft: CalculatorDraft):
    try:
        footprint = _record(request, answers=draft.engine_answers(), mode="detailed")
    except FieldErrors as error:
        number, form, leftover = draft.form_with_engine_errors(error.errors)
        return _render_step(request, draft, number, form, alerts=leftover)
    except RateLimited as error:
        response = _render_step(request, draft, REVIEW_STEP, alerts=[error.message])
        return _rate_limited(response, error)
    CalculatorDraft.discard(request.session)
    return _result_redirect(footprint)


# --- Quick calculator -----------------------------------------------------------------------------


@feature_required("quick_mode")
@require_http_methods(["GET", "HEAD", "POST"])
def calculate_quick(request):
    """Eight questions, one page: an estimate with its likely range."""
    if request.method != "POST":
        form = QuickForm(
            initial={"country": _default_country(request) or "GB", "household_size": 1}
        )
        return render(request, "footprints/calculate_quick.html", {"form": form})
    form = QuickForm(request.POST)
    if form.is_valid():
        try:
            return _result_redirect(_record(request, answers=form.answers(), mode="quick"))
        except FieldErrors as error:
            add_engine_errors(form, error.errors)
        except RateLimited as error:
            form.add_error(None, error.message)
            response = render(request, "footprints/calculate_quick.html", {"form": form})
            return _rate_limited(response, error)
    return render(request, "footprints/calculate_quick.html", {"form": form})


# --- Result -------------------------------------------------------------------------------------


def confidence_words(score: float) -> str:
    if score >= 0.8:
        return "High confidence"
    if score >= 0.5:
        return "Medium confidence"
    return "Low confidence"


def _tonnes(value: float) -> str:
    return f"{value / 1000:,.1f}"


@dataclass(frozen=True, slots=True)
class CategoryRow:
    key: str
    label: str
    kg: float
    percent: float
    estimated: bool
    low: float | None
    high: float | None


def _category_rows(footprint: CarbonFootprint, result) -> list[CategoryRow]:
    total = float(footprint.total_emissions) or 1.0
    intervals = getattr(result, "intervals_kg", None) or {}
    estimated = (
        set(result.estimated_sections) if result is not None and result.mode == "detailed" else ()
    )
    rows = []
    for category, kg in footprint.breakdown.items():
        low, high = intervals.get(category, (None, None))
        rows.append(
            CategoryRow(
                key=category,
                label=CATEGORY_LABELS[category],
                kg=float(kg),
                percent=round(float(kg) / total * 100, 1),
                estimated=category in estimated,
                low=None if low is None else float(low),
                high=None if high is None else float(high),
            )
        )
    return rows


def _category_chart(rows: list[CategoryRow]) -> charts.BarChart:
    return charts.horizontal_bar_chart(
        [
            charts.BarItem(
                key=row.key,
                label=f"{row.label}{' (estimated)' if row.estimated else ''}",
                value=row.kg,
                value_label=charts.kg_text(row.kg),
                tone="muted" if row.estimated else "default",
                low=row.low,
                high=row.high,
            )
            for row in rows
        ]
    )


def _comparison_chart(total_kg: float, comparison) -> charts.BarChart:
    items = [charts.BarItem("you", "You", total_kg, charts.kg_text(total_kg), tone="you")]
    for index, point in enumerate(comparison):
        is_target = "target" in point.label.lower()
        label = CHART_TARGET_LABEL if is_target else point.label  # the table gives it in full
        items.append(
            charts.BarItem(
                f"comparison-{index}",
                label,
                point.kg_co2e,
                charts.kg_text(point.kg_co2e),
                "target" if is_target else "default",
            )
        )
    return charts.horizontal_bar_chart(items)


@require_safe
def result(request, calculation_uuid):
    """A calculation, for its owner or for the anonymous visitor who made it in this browser."""
    try:
        footprint = footprint_get_readable(
            user=_user_or_none(request),
            calculation_uuid=calculation_uuid,
            claim_token=session_claim_token(request, calculation_uuid),
        )
    except NotFoundError:
        raise Http404("No such calculation.") from None
    try:
        computed = footprint_result(footprint)
    except FieldErrors:
        computed = None  # stored answers the engine no longer accepts: show the stored numbers
    rows = _category_rows(footprint, computed)
    recommendations = list(footprint.recommendations.all())  # by priority: one query for all
    confidence = confidence_words(float(footprint.confidence_score))
    total_kg = float(footprint.total_emissions)
    household_size = (
        computed.household_size
        if computed is not None
        else footprint.input_data.get("household_size", 1)
    )
    context = {
        "footprint": footprint,
        "result": computed,
        "country_name": COUNTRY_NAMES.get(footprint.country, footprint.country),
        "total_kg": total_kg,
        "total_tonnes": _tonnes(total_kg),
        "household_size": household_size,
        "household_total_kg": (
            float(computed.household_total_kg)
            if computed is not None and household_size > 1
            else None
        ),
        "rows": rows,
        "estimated_labels": [row.label for row in rows if row.estimated],
        "category_chart": _category_chart(rows),
        "comparison_chart": (
            _comparison_chart(total_kg, computed.comparison) if computed is not None else None
        ),
        "confidence": confidence,
        "confidence_level": confidence.split()[0].lower(),
        "top_actions": recommendations[:RESULT_TOP_ACTIONS],
        "more_actions": recommendations[RESULT_TOP_ACTIONS:],
        "action_count": len(recommendations),
        # Only the owner marks actions done (an anonymous author signs up first).
        "is_owner": footprint.user_id is not None and footprint.user_id == request.user.pk,
        "invite_signup": footprint.user_id is None and not request.user.is_authenticated,
        # A plain path: the accounts pages own the sign-up view and its url name.
        "signup_url": "/accounts/signup/?" + urlencode({"next": request.path}),
    }
    if computed is not None:
        context["total_interval"] = _total_interval(computed)
    return render(request, "footprints/result.html", context)


def _total_interval(computed) -> tuple[float, float] | None:
    """Quick mode's likely range of the total: the sum of the categories' ranges."""
    intervals = computed.intervals_kg
    if not all(category in intervals for category in CATEGORIES):
        return None
    return (
        sum(float(intervals[category][0]) for category in CATEGORIES),
        sum(float(intervals[category][1]) for category in CATEGORIES),
    )


# --- Methodology ---------------------------------------------------------------------------------


@functools.cache
def _methodology() -> dict[str, Any]:
    """Everything the methodology page shows, grouped once: the engine's data never changes
    while the process runs."""
    factors_by_category: dict[str, list] = defaultdict(list)
    for row in engine.factor_rows():
        if row.activity != "grid_average":
            factors_by_category[row.category].append(row)
    grid_by_letter: dict[str, list] = defaultdict(list)
    grid_values = {
        row.region: row.value for row in engine.factor_rows() if row.activity == "grid_average"
    }
    for code, name in engine.countries():
        grid_by_letter[name[:1].upper()].append((code, name, grid_values[code]))
    distances = assumptions()
    report = training_report()
    report_rows = (
        [
            (
                category,
                CATEGORY_LABELS[category],
                report["mae_kg"][category],
                report["interval_coverage"][category],
            )
            for category in CATEGORIES
        ]
        if report
        else []
    )
    return {
        "factor_groups": [
            (category, CATEGORY_LABELS[category], factors_by_category[category])
            for category in CATEGORIES
            if factors_by_category[category]
        ],
        "grid_letters": sorted(grid_by_letter.items()),
        "grid_count": len(grid_values),
        "averages": list(country_averages().values()),
        "caps": [
            (section, name, "0 to 100 %" if cap == SHARE else f"{cap:,}")
            for section, caps in FIELD_CAPS.items()
            for name, cap in caps.items()
        ],
        "penalties": [(code, f"{value:.2f}") for code, value in PENALTIES.items()],
        "national_range_multiple": NATIONAL_RANGE_MULTIPLE,
        "flight_km": {
            haul: f"{distances[f'flight_{haul}_km'].value:,.0f}"
            for haul in ("domestic", "short_haul", "long_haul")
        },
        "target": distances["target_2030_kg"],
        "report": report,
        "report_rows": report_rows,
        "ember": {"source": EMBER_SOURCE, "url": EMBER_URL, "year": EMBER_YEAR},
        "model_name": engine.MODEL_NAME,
        "model_version": engine.MODEL_VERSION,
        "factor_version": engine.FACTOR_VERSION,
    }


@require_safe
def methodology(request):
    """Every factor with its source and year, and how each category is computed."""
    return render(request, "footprints/methodology.html", _methodology())
