"""`manage.py seed_load --users N --calculations M`: synthetic data at scale, in bulk.

For benchmarks and staff-analytics demos on a dedicated database (it only ever adds rows):
- a pool of answer sets drawn from the quick estimator's documented synthetic population
  (`random_quick` + `detailed_answers`), each run once through the engine (detailed) or the
  quick estimator (quick); every calculation reuses one pool entry's answers and numbers;
- users signing up along a growth curve over `--years`, each in one country, with a cheap
  password hash computed once and shared (an unusable one: nobody signs in as a seed user);
- calculations spread between each user's sign-up and now (anonymous ones over the whole
  period), inserted in date order, a few thousand rows per INSERT (`RowInsert`; users,
  profiles, goals and actions taken with bulk_create);
- recommendations for each user's latest calculation only, ranked exactly as
  recommendations_generate ranks them (savings from recommendations.services.action_savings,
  computed once per pool entry), some of them taken; a goal for some users;
- then the daily summary for every day loaded (staff analytics).
The audit log is off for the load. Progress and timing are printed.
"""

from __future__ import annotations

import contextlib
import datetime
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from auditlog.context import disable_auditlog
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import User, UserProfile
from carbon_site.bulk import RowInsert
from footprints import engine
from footprints.analytics import daily_summary_refresh
from footprints.engine.estimator import detailed_answers, random_quick
from footprints.models import CATEGORIES, CarbonFootprint
from footprints.quick_model import quick_model
from goals.models import UserGoal
from recommendations.catalogue import EFFORT_WEIGHT
from recommendations.models import ImplementedAction, Recommendation

# The ranking and impact rules of recommendations_generate, reused rather than written twice.
from recommendations.services import _baseline_answers, _impact, action_savings

SEED_USER_AGENT = "seed_load"
NO_CALCULATION_SHARE = 0.1  # users who signed up and never calculated
SIGNED_IN_RECENTLY_SHARE = 0.7  # users whose last_login is near their latest calculation
VERIFIED_SHARE = 0.8
GOAL_SHARE = 0.3  # users with a calculation who set a goal
TAKEN_SHARE_BY_EFFORT = {"low": 0.3, "medium": 0.15, "high": 0.06}
GRAMS = Decimal("0.001")
POOL_FIELDS = (
    "country",
    "total_emissions",
    *(f"{category}_emissions" for category in CATEGORIES),
    "confidence_score",
    "model_name",
    "model_version",
    "factor_version",
)


@dataclass(frozen=True)
class RankedAction:
    code: str
    category: str
    effort: str
    saving_kg: Decimal
    impact: str


@dataclass(frozen=True)
class PoolEntry:
    """One answer set with its engine numbers and ranked actions, shared by many calculations."""

    mode: str
    country: str
    answers: dict
    fields: dict  # CarbonFootprint field values from the engine's result
    actions: tuple[RankedAction, ...]


@dataclass
class LatestFootprint:
    """A user's latest calculation: it gets the recommendations (and sets the goal baseline)."""

    owner: int
    user_id: int
    calculation_date: datetime.datetime
    entry: PoolEntry
    footprint_id: int | None = None


@dataclass
class Plan:
    joined: list[datetime.datetime]  # per user
    owners: np.ndarray  # per calculation, in date order: user index, -1 for anonymous
    dates: list[datetime.datetime]  # per calculation, in date order
    latest_position: np.ndarray  # per user: position of their latest calculation, or -1
    country_key: np.ndarray  # per user: picks the user's country
    pool_draw: np.ndarray  # per calculation: picks a pool entry


def _rounded(value):
    """Answers as a person types them: whole kWh and km, shares to two places."""
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, float):
        return round(value, 2) if value < 10 else round(value)
    return value


def _pool_entry(mode: str, quick: dict, rng: np.random.Generator) -> PoolEntry:
    if mode == CarbonFootprint.Mode.QUICK:
        answers = quick
        result = engine.quick_estimate(answers, quick_model())
    else:
        answers = _rounded(detailed_answers(quick, rng))
        result = engine.calculate(answers)
    fields = {
        "country": result.country,
        "total_emissions": result.total_kg,
        **{f"{category}_emissions": result.categories_kg[category] for category in CATEGORIES},
        "confidence_score": Decimal(str(result.confidence_score)).quantize(GRAMS),
        "model_name": result.model_name,
        "model_version": result.model_version,
        "factor_version": result.factor_version,
    }
    baseline = _baseline_answers(CarbonFootprint(mode=mode, input_data=answers))
    savings = sorted(
        action_savings(baseline, result),
        key=lambda item: (-item.saving_kg / EFFORT_WEIGHT[item.action.effort], item.action.code),
    )
    actions = tuple(
        RankedAction(
            code=item.action.code,
            category=item.action.category,
            effort=item.action.effort,
            saving_kg=item.saving_kg,
            impact=_impact(item.saving_kg, result.total_kg),
        )
        for item in savings
    )
    return PoolEntry(mode, result.country, answers, fields, actions)


@contextlib.contextmanager
def _timestamps_as_given(*models):
    """Keep the created_at/updated_at the load sets: auto_now(_add) would stamp every row with
    the load's own time, and two years of history would all look created today."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Progress:
    def __init__(self, stdout, name: str, total: int) -> None:
        self.stdout, self.name, self.total = stdout, name, total
        self.started = self.last_print = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        if done < self.total and now - self.last_print < 5:
            return
        self.last_print = now
        took = now - self.started
        rate = done / took if took else 0
        self.stdout.write(
            f"  {self.name}: {done:,} / {self.total:,} ({took:.1f} s, {rate:,.0f} rows/s)"
        )


class Command(BaseCommand):
    help = "Add synthetic users and calculations in bulk (use a dedicated database)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=1_000)
        parser.add_argument("--calculations", type=int, default=20_000)
        parser.add_argument("--years", type=float, default=2.0, help="history length")
        parser.add_argument("--anonymous-share", type=float, default=0.2)
        parser.add_argument("--quick-share", type=float, default=0.3)
        parser.add_argument("--pool", type=int, default=400, help="distinct answer sets")
        parser.add_argument("--batch-size", type=int, default=4_000)
        parser.add_argument("--seed", type=int, default=2024, help="random seed")
        parser.add_argument("--no-summary", action="store_true", help="skip the daily summary")

    def handle(self, *args, **options) -> None:
        if options["users"] < 1 or options["calculations"] < 0 or options["pool"] < 1:
            raise CommandError("--users and --pool must be 1 or more, --calculations 0 or more.")
        if not (0 <= options["anonymous_share"] <= 1 and 0 <= options["quick_share"] <= 1):
            raise CommandError("--anonymous-share and --quick-share are between 0 and 1.")
        self.batch_size = options["batch_size"]
        self.rng = np.random.default_rng(options["seed"])
        self.now = timezone.now()
        self.start = self.now - datetime.timedelta(days=365.25 * options["years"])
        # A tag per run keeps emails and usernames unique when the command runs again.
        self.tag = uuid.uuid4().hex[:8]
        self.started = started = time.monotonic()
        with (
            disable_auditlog(),
            _timestamps_as_given(User, UserProfile, UserGoal),
        ):
            pool = self.make_pool(options["pool"], options["quick_share"])
            plan = self.plan(options["users"], options["calculations"], options["anonymous_share"])
            user_ids = self.load_users(plan)
            latest = self.load_footprints(plan, pool, user_ids)
            self.load_recommendations(latest)
            self.load_goals(latest, plan)
        if not options["no_summary"] and options["calculations"]:
            self.step("daily summary")
            first_day = plan.dates[0].astimezone(datetime.UTC).date()
            written = daily_summary_refresh(first_day=first_day, last_day=self.now.date())
            self.stdout.write(f"  {written:,} (day, country) rows")
        # ANALYZE TABLE commits implicitly: never inside a caller's transaction (tests).
        if connection.vendor == "mysql" and not connection.in_atomic_block:
            self.step("ANALYZE TABLE (fresh optimiser statistics)")
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE TABLE users, user_profiles, carbon_footprints, recommendations,"
                    " implemented_actions, user_goals, daily_calculation_summary"
                )
                cursor.fetchall()
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_load: {options['users']:,} users, {options['calculations']:,} "
                f"calculations in {time.monotonic() - started:.1f} s (tag {self.tag})"
            )
        )

    def step(self, name: str) -> None:
        self.stdout.write(f"-> [{time.monotonic() - self.started:6.1f} s] {name}")

    # --- what to load ----------------------------------------------------------------------

    def make_pool(self, size: int, quick_share: float) -> list[PoolEntry]:
        self.step(f"pool of {size} answer sets through the engine")
        started = time.monotonic()
        quick_count = round(size * quick_share)
        pool = [
            _pool_entry(
                CarbonFootprint.Mode.QUICK
                if index < quick_count
                else CarbonFootprint.Mode.DETAILED,
                random_quick(self.rng),
                self.rng,
            )
            for index in range(size)
        ]
        self.stdout.write(f"  {size} entries in {time.monotonic() - started:.1f} s")
        self.countries = sorted({entry.country for entry in pool})
        self.pool_by_country = {
            country: [index for index, entry in enumerate(pool) if entry.country == country]
            for country in self.countries
        }
        self.whole_pool = list(range(size))
        return pool

    def growth_dates(self, count: int) -> np.ndarray:
        """`count` moments (seconds after the start), more of them recent: sign-ups and
        anonymous use grow linearly, so their density rises towards now."""
        span = (self.now - self.start).total_seconds()
        return np.sqrt(self.rng.random(count)) * span

    def plan(self, users: int, calculations: int, anonymous_share: float) -> Plan:
        self.step("planning users and calculations")
        rng = self.rng
        span = (self.now - self.start).total_seconds()
        joined_offset = self.growth_dates(users)  # seconds after the start
        anonymous_count = round(calculations * anonymous_share)
        signed_in_count = calculations - anonymous_count
        # Heavy and light users: lognormal weights; some users never calculate.
        weights = rng.lognormal(0.0, 1.0, users) * (rng.random(users) >= NO_CALCULATION_SHARE)
        if not weights.any():
            weights[0] = 1.0
        owner = rng.choice(users, size=signed_in_count, p=weights / weights.sum())
        # Each signed-in calculation falls between its owner's sign-up and now.
        offsets = joined_offset[owner] + rng.random(signed_in_count) * (span - joined_offset[owner])
        owners = np.concatenate([owner, np.full(anonymous_count, -1)])
        offsets = np.concatenate([offsets, self.growth_dates(anonymous_count)])
        order = np.argsort(offsets, kind="stable")
        owners, offsets = owners[order], offsets[order]
        # The last calculation of each user (positions in date order).
        latest_position = np.full(users, -1)
        signed = np.nonzero(owners >= 0)[0]
        latest_position[owners[signed]] = signed  # later positions overwrite earlier ones
        country_of_user = rng.integers(0, 1 << 30, users)
        return Plan(
            joined=[self.start + datetime.timedelta(seconds=float(s)) for s in joined_offset],
            owners=owners,
            dates=[self.start + datetime.timedelta(seconds=float(s)) for s in offsets],
            latest_position=latest_position,
            country_key=country_of_user,
            pool_draw=rng.random(len(owners)),
        )

    # --- loading -----------------------------------------------------------------------------

    def _batches(self, rows_count: int):
        for begin in range(0, rows_count, self.batch_size):
            yield begin, min(begin + self.batch_size, rows_count)

    def load_users(self, plan: Plan) -> list[int]:
        count = len(plan.joined)
        self.step(f"{count:,} users and profiles")
        password = make_password(None)  # one unusable hash for every seed user
        progress = Progress(self.stdout, "users", count)
        latest_date = {
            int(plan.owners[position]): plan.dates[position]
            for position in plan.latest_position
            if position >= 0
        }
        user_ids: list[int] = []
        for begin, end in self._batches(count):
            users = []
            for index in range(begin, end):
                joined = plan.joined[index]
                last_calculation = latest_date.get(index)
                signed_in_recently = self.rng.random() < SIGNED_IN_RECENTLY_SHARE
                last_login = (
                    min(last_calculation + datetime.timedelta(minutes=5), self.now)
                    if last_calculation and signed_in_recently
                    else None
                )
                users.append(
                    User(
                        email=f"seed-{self.tag}-{index}@example.com",
                        username=f"seed-{self.tag}-{index}",
                        password=password,
                        is_verified=self.rng.random() < VERIFIED_SHARE,
                        last_login=last_login,
                        created_at=joined,
                        updated_at=last_login or joined,
                    )
                )
            created = User.objects.bulk_create(users)
            if created[0].pk is None:  # a backend that cannot return ids (MySQL 8)
                by_email = dict(
                    User.objects.filter(email__in=[u.email for u in users]).values_list(
                        "email", "pk"
                    )
                )
                for user in users:
                    user.pk = by_email[user.email]
            UserProfile.objects.bulk_create(
                UserProfile(
                    user_id=user.pk,
                    country=self.country_of(plan, index),
                    household_size=int(self.rng.choice([1, 2, 2, 3, 4])),
                    created_at=user.created_at,
                    updated_at=user.created_at,
                )
                for index, user in zip(range(begin, end), users, strict=True)
            )
            user_ids.extend(user.pk for user in users)
            progress.update(end)
        return user_ids

    def country_of(self, plan: Plan, user_index: int) -> str:
        return self.countries[int(plan.country_key[user_index]) % len(self.countries)]

    def pool_index(self, plan: Plan, position: int) -> int:
        """A pool entry for the calculation at `position`: from its owner's country (anonymous
        calculations: from anywhere)."""
        owner = int(plan.owners[position])
        candidates = (
            self.pool_by_country[self.country_of(plan, owner)] if owner >= 0 else self.whole_pool
        )
        return candidates[int(plan.pool_draw[position] * len(candidates))]

    def load_footprints(
        self, plan: Plan, pool: list[PoolEntry], user_ids: list[int]
    ) -> list[LatestFootprint]:
        count = len(plan.dates)
        self.step(f"{count:,} calculations")
        insert = RowInsert(
            CarbonFootprint,
            ("mode", "input_data", *POOL_FIELDS, "user_agent"),
            (
                "calculation_uuid",
                "user",
                "is_anonymous",
                "calculation_date",
                "created_at",
                "updated_at",
            ),
        )
        constant = [
            insert.constant(
                mode=entry.mode,
                input_data=entry.answers,
                user_agent=SEED_USER_AGENT,
                **entry.fields,
            )
            for entry in pool
        ]
        is_latest = np.zeros(count, dtype=bool)
        is_latest[plan.latest_position[plan.latest_position >= 0]] = True
        latest: list[LatestFootprint] = []
        progress = Progress(self.stdout, "calculations", count)
        for begin, end in self._batches(count):
            rows, latest_here = [], {}
            for position in range(begin, end):
                owner = int(plan.owners[position])
                pool_index = self.pool_index(plan, position)
                made = insert.prepare("calculation_date", plan.dates[position])
                calculation_uuid = uuid.uuid4()
                rows.append(
                    constant[pool_index]
                    + (
                        insert.prepare("calculation_uuid", calculation_uuid),
                        user_ids[owner] if owner >= 0 else None,
                        owner < 0,
                        made,
                        made,
                        made,
                    )
                )
                if is_latest[position]:
                    latest_here[calculation_uuid] = LatestFootprint(
                        owner=owner,
                        user_id=user_ids[owner],
                        calculation_date=plan.dates[position],
                        entry=pool[pool_index],
                    )
            insert.execute(rows)
            # Ids of the users' latest calculations, for their recommendations: one indexed look-up.
            for calculation_uuid, pk in CarbonFootprint.objects.filter(
                calculation_uuid__in=list(latest_here)
            ).values_list("calculation_uuid", "pk"):
                latest_here[calculation_uuid].footprint_id = pk
            latest.extend(latest_here.values())
            progress.update(end)
        return latest

    def load_recommendations(self, latest: list[LatestFootprint]) -> None:
        self.step(f"recommendations for {len(latest):,} latest calculations")
        insert = RowInsert(
            Recommendation,
            (
                "action_code",
                "category",
                "effort",
                "potential_savings",
                "estimated_impact",
                "priority",
            ),
            ("uuid", "carbon_footprint", "is_implemented", "implemented_at", "created_at"),
        )
        constant: dict[tuple[int, int], tuple] = {}
        total = sum(len(footprint.entry.actions) for footprint in latest)
        progress = Progress(self.stdout, "recommendations", total)
        done = 0
        rows: list[tuple] = []
        taken: list[tuple[LatestFootprint, RankedAction, datetime.datetime]] = []
        for footprint in latest:
            made = footprint.calculation_date
            for priority, action in enumerate(footprint.entry.actions, start=1):
                key = (id(footprint.entry), priority)
                if key not in constant:
                    constant[key] = insert.constant(
                        action_code=action.code,
                        category=action.category,
                        effort=action.effort,
                        potential_savings=action.saving_kg,
                        estimated_impact=action.impact,
                        priority=priority,
                    )
                implemented_at = None
                if self.rng.random() < TAKEN_SHARE_BY_EFFORT[action.effort]:
                    implemented_at = made + (self.now - made) * float(self.rng.random())
                    taken.append((footprint, action, implemented_at))
                rows.append(
                    constant[key]
                    + (
                        insert.prepare("uuid", uuid.uuid4()),
                        footprint.footprint_id,
                        implemented_at is not None,
                        insert.prepare("implemented_at", implemented_at),
                        insert.prepare("created_at", made),
                    )
                )
            if len(rows) >= self.batch_size:
                done += self._flush_recommendations(insert, rows, taken)
                progress.update(done)
        done += self._flush_recommendations(insert, rows, taken)
        progress.update(done)

    def _flush_recommendations(self, insert: RowInsert, rows: list, taken: list) -> int:
        count = len(rows)
        if count:
            insert.execute(rows)
        if taken:
            recommendation_ids = {
                (footprint_id, code): pk
                for footprint_id, code, pk in Recommendation.objects.filter(
                    carbon_footprint_id__in={footprint.footprint_id for footprint, _, _ in taken},
                    is_implemented=True,
                ).values_list("carbon_footprint_id", "action_code", "pk")
            }
            ImplementedAction.objects.bulk_create(
                ImplementedAction(
                    user_id=footprint.user_id,
                    action_code=action.code,
                    category=action.category,
                    realised_savings=action.saving_kg,
                    recommendation_id=recommendation_ids[(footprint.footprint_id, action.code)],
                    implemented_at=implemented_at,
                )
                for footprint, action, implemented_at in taken
            )
        rows.clear()
        taken.clear()
        return count

    def load_goals(self, latest: list[LatestFootprint], plan: Plan) -> None:
        today = self.now.date()
        goals = []
        for footprint in latest:
            if self.rng.random() >= GOAL_SHARE:
                continue
            joined = plan.joined[footprint.owner]
            created = joined + (self.now - joined) * float(self.rng.random())
            target_date = (
                created + datetime.timedelta(days=int(self.rng.integers(90, 730)))
            ).date()
            percentage = Decimal(int(self.rng.choice([10, 15, 20, 25, 30, 40])))
            latest_total = footprint.entry.fields["total_emissions"]
            baseline = (latest_total * Decimal(self.rng.uniform(1.0, 1.3))).quantize(GRAMS)
            target = (baseline * (100 - percentage) / 100).quantize(GRAMS)
            status, achieved_at = UserGoal.Status.ACTIVE, None
            if latest_total <= target:
                status, achieved_at = UserGoal.Status.ACHIEVED, footprint.calculation_date
            elif target_date < today:
                status = UserGoal.Status.MISSED
            goals.append(
                UserGoal(
                    user_id=footprint.user_id,
                    goal_type=UserGoal.GoalType.REDUCTION_PERCENTAGE,
                    category=UserGoal.Category.TOTAL,
                    baseline_emissions=baseline,
                    target_emissions=target,
                    reduction_percentage=percentage,
                    target_date=target_date,
                    status=status,
                    is_achieved=status == UserGoal.Status.ACHIEVED,
                    achieved_at=max(achieved_at, created) if achieved_at else None,
                    created_at=created,
                    updated_at=created,
                )
            )
        self.step(f"{len(goals):,} goals")
        UserGoal.objects.bulk_create(goals, batch_size=self.batch_size)
