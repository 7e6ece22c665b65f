"""The catalogue of actions: when each applies and how it changes a household's answers.

Never remove an action or reuse a code: stored recommendations take their words from here by
action_code. Savings are never typed in: each action rewrites the normalised answers, and the
engine runs again on the rewritten answers, so a saving uses exactly the factors of the
footprint it is for.
The fractions below are the documented assumptions about what an action changes (see
docs/methodology.md, "Recommendations"); they are not emission factors.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from footprints.engine import Answers

EFFORT_WEIGHT = {"low": 1, "medium": 2, "high": 3}
DIET_STEPS = ("high_meat", "average", "low_meat", "pescatarian", "vegetarian", "vegan")
LONG_HAUL_RETURN_KM = 14_000  # two one-way long-haul flights of 7,000 km (engine assumption)
HEAT_PUMP_COP = 3.0  # seasonal coefficient of performance of an air-source heat pump
BOILER_EFFICIENCY = 0.85  # useful heat per kWh of gas, oil or LPG burnt
OIL_KWH_PER_LITRE = 10.35  # gross calorific value of heating oil
LPG_KWH_PER_LITRE = 7.11  # gross calorific value of LPG


@dataclass(frozen=True)
class Action:
    code: str
    category: str
    title: str
    description: str
    action_required: str
    effort: str
    applies: Callable[[Answers], bool]
    change: Callable[[Answers], Answers]


def _scale(section_name: str, fraction: float, *fields: str) -> Callable[[Answers], Answers]:
    """Multiply the named fields of a section by `fraction`."""

    def change(answers: Answers) -> Answers:
        section = getattr(answers, section_name)
        updated = {field: getattr(section, field) * fraction for field in fields}
        return replace(answers, **{section_name: replace(section, **updated)})

    return change


def _has(section_name: str, *fields: str) -> Callable[[Answers], bool]:
    """The section was answered and at least one of the fields is above zero."""

    def applies(answers: Answers) -> bool:
        section = getattr(answers, section_name)
        return section is not None and any(getattr(section, field) > 0 for field in fields)

    return applies


HEATING_FUELS = (
    "natural_gas_kwh_per_year",
    "heating_oil_litres_per_year",
    "lpg_litres_per_year",
    "wood_kg_per_year",
    "district_heat_kwh_per_year",
)
FOSSIL_HEATING = ("natural_gas_kwh_per_year", "heating_oil_litres_per_year", "lpg_litres_per_year")
CAR_KM = ("car_km_per_year",)


def _green_tariff(answers: Answers) -> Answers:
    return replace(answers, electricity=replace(answers.electricity, renewable_share=1.0))


def _tariff_not_green(answers: Answers) -> bool:
    section = answers.electricity
    return section is not None and section.kwh_per_year > 0 and section.renewable_share < 1


def _solar_panels(answers: Answers) -> Answers:
    section = answers.electricity
    self_used_kwh = min(section.kwh_per_year * 0.4, 2_500.0)
    return replace(
        answers, electricity=replace(section, kwh_per_year=section.kwh_per_year - self_used_kwh)
    )


def _heat_pump(answers: Answers) -> Answers:
    """Burnt fuel becomes useful heat, delivered by a heat pump from grid electricity."""
    heating = answers.heating
    useful_heat_kwh = BOILER_EFFICIENCY * (
        heating.natural_gas_kwh_per_year
        + heating.heating_oil_litres_per_year * OIL_KWH_PER_LITRE
        + heating.lpg_litres_per_year * LPG_KWH_PER_LITRE
    )
    electricity = answers.electricity
    if electricity is None:
        return answers  # nowhere to put the heat pump's use: not offered (see applies)
    return replace(
        answers,
        heating=replace(
            heating,
            natural_gas_kwh_per_year=0.0,
            heating_oil_litres_per_year=0.0,
            lpg_litres_per_year=0.0,
        ),
        electricity=replace(
            electricity, kwh_per_year=electricity.kwh_per_year + useful_heat_kwh / HEAT_PUMP_COP
        ),
    )


def _heat_pump_applies(answers: Answers) -> bool:
    return answers.electricity is not None and _has("heating", *FOSSIL_HEATING)(answers)


def _electric_car(answers: Answers) -> Answers:
    return replace(answers, transportation=replace(answers.transportation, car_fuel="electric"))


def _car_not_electric(answers: Answers) -> bool:
    section = answers.transportation
    return section is not None and section.car_km_per_year > 0 and section.car_fuel != "electric"


def _move_car_km(to_field: str, fraction: float, cap_km: float | None = None):
    def change(answers: Answers) -> Answers:
        section = answers.transportation
        moved = section.car_km_per_year * fraction
        if cap_km is not None:
            moved = min(moved, cap_km)
        updated = {"car_km_per_year": section.car_km_per_year - moved}
        if to_field:
            updated[to_field] = getattr(section, to_field) + moved
        return replace(answers, transportation=replace(section, **updated))

    return change


def _flights_to_rail(haul: str):
    def change(answers: Answers) -> Answers:
        section = answers.transportation
        km = getattr(section, f"flight_km_{haul}_per_year")
        return replace(
            answers,
            transportation=replace(
                section,
                **{
                    f"flight_km_{haul}_per_year": 0.0,
                    f"flights_{haul}_per_year": 0.0,
                    "rail_km_per_year": section.rail_km_per_year + km,
                },
            ),
        )

    return change


def _one_long_haul_fewer(answers: Answers) -> Answers:
    section = answers.transportation
    if section.flights_long_haul_per_year >= 2:
        return replace(
            answers,
            transportation=replace(
                section, flights_long_haul_per_year=section.flights_long_haul_per_year - 2
            ),
        )
    km = max(0.0, section.flight_km_long_haul_per_year - LONG_HAUL_RETURN_KM)
    return replace(
        answers,
        transportation=replace(
            section, flight_km_long_haul_per_year=km, flights_long_haul_per_year=0.0
        ),
    )


def _diet_step(steps: int) -> Callable[[Answers], Answers]:
    def change(answers: Answers) -> Answers:
        section = answers.lifestyle
        position = DIET_STEPS.index(section.diet or "average")
        new_diet = DIET_STEPS[min(position + steps, len(DIET_STEPS) - 1)]
        return replace(answers, lifestyle=replace(section, diet=new_diet))

    return change


def _diet_at_most(diet: str) -> Callable[[Answers], bool]:
    """The diet is `diet` or heavier in meat (an unanswered diet counts as average)."""

    def applies(answers: Answers) -> bool:
        section = answers.lifestyle
        if section is None:
            return False
        return DIET_STEPS.index(section.diet or "average") <= DIET_STEPS.index(diet)

    return applies


def _recycle_more(answers: Answers) -> Answers:
    return replace(answers, waste=replace(answers.waste, recycling_share=0.7))


def _recycling_below(share: float) -> Callable[[Answers], bool]:
    def applies(answers: Answers) -> bool:
        section = answers.waste
        return section is not None and section.kg_per_week > 0 and section.recycling_share < share

    return applies


CATALOGUE: tuple[Action, ...] = (
    # --- Electricity
    Action(
        "green_tariff",
        "electricity",
        "Switch to a renewable electricity tariff",
        "Buy your electricity on a tariff backed by renewable generation.",
        "Compare green tariffs and switch supplier; it takes about ten minutes online.",
        "low",
        _tariff_not_green,
        _green_tariff,
    ),
    Action(
        "led_lighting",
        "electricity",
        "Change every bulb to LED",
        "LEDs use a fraction of the power of older bulbs; lighting is a visible share of a "
        "home's electricity (we assume 5 % of the household's use is saved).",
        "Replace the remaining halogen, incandescent and compact fluorescent bulbs.",
        "low",
        _has("electricity", "kwh_per_year"),
        _scale("electricity", 0.95, "kwh_per_year"),
    ),
    Action(
        "standby_off",
        "electricity",
        "Switch appliances off at the wall",
        "Devices on standby draw power all day (we assume 3 % of the household's use).",
        "Use switched power strips for the TV, computer and chargers.",
        "low",
        _has("electricity", "kwh_per_year"),
        _scale("electricity", 0.97, "kwh_per_year"),
    ),
    Action(
        "efficient_appliances",
        "electricity",
        "Choose efficient appliances when you replace them",
        "The most efficient fridges, washing machines and dryers use far less electricity "
        "(we assume 10 % of the household's use is saved).",
        "Pick the top energy rating when an appliance needs replacing; dry clothes outside.",
        "medium",
        _has("electricity", "kwh_per_year"),
        _scale("electricity", 0.90, "kwh_per_year"),
    ),
    Action(
        "solar_panels",
        "electricity",
        "Put solar panels on the roof",
        "Panels supply part of what the home uses during the day (we assume 40 % of the "
        "household's grid use, at most 2,500 kWh a year).",
        "Get quotes from accredited installers; check your roof's orientation and shading.",
        "high",
        _has("electricity", "kwh_per_year"),
        _solar_panels,
    ),
    # --- Heating
    Action(
        "thermostat_down_1c",
        "heating",
        "Turn the thermostat down by 1 °C",
        "Each degree lower cuts heating energy by about a tenth.",
        "Set the thermostat 1 °C lower (18 to 21 °C is comfortable for most people).",
        "low",
        _has("heating", *HEATING_FUELS),
        _scale("heating", 0.90, *HEATING_FUELS),
    ),
    Action(
        "draught_proofing",
        "heating",
        "Draught-proof doors and windows",
        "Sealing gaps keeps heat in (we assume 5 % of heating energy).",
        "Fit seals to doors, windows, letterboxes and unused chimneys.",
        "low",
        _has("heating", *HEATING_FUELS),
        _scale("heating", 0.95, *HEATING_FUELS),
    ),
    Action(
        "smart_heating_controls",
        "heating",
        "Heat only the rooms you use, when you use them",
        "Timers and room thermostats avoid heating empty rooms (we assume 8 % of heating).",
        "Fit thermostatic radiator valves and set a heating schedule.",
        "medium",
        _has("heating", *HEATING_FUELS),
        _scale("heating", 0.92, *HEATING_FUELS),
    ),
    Action(
        "loft_insulation",
        "heating",
        "Insulate the loft",
        "A quarter of a home's heat can escape through an uninsulated roof (we assume 15 % "
        "of heating energy is saved).",
        "Lay 270 mm of insulation in the loft, or top up what is there.",
        "medium",
        _has("heating", *HEATING_FUELS),
        _scale("heating", 0.85, *HEATING_FUELS),
    ),
    Action(
        "wall_insulation",
        "heating",
        "Insulate the walls",
        "Cavity or solid-wall insulation cuts heat loss through walls (we assume 20 % of "
        "heating energy is saved).",
        "Get a survey for cavity-wall or internal/external solid-wall insulation.",
        "high",
        _has("heating", *HEATING_FUELS),
        _scale("heating", 0.80, *HEATING_FUELS),
    ),
    Action(
        "heat_pump",
        "heating",
        "Replace the boiler with a heat pump",
        "A heat pump delivers about three units of heat for each unit of electricity. The "
        "saving shown is net: the gas, oil or LPG removed minus the extra electricity.",
        "Get a heat-pump survey; grants may cover part of the cost.",
        "high",
        _heat_pump_applies,
        _heat_pump,
    ),
    # --- Transportation
    Action(
        "drive_less",
        "transportation",
        "Walk or cycle for short trips",
        "Many car trips are under five miles (we assume a fifth of your car distance).",
        "Walk or cycle for local errands, school runs and short commutes.",
        "medium",
        _has("transportation", *CAR_KM),
        _move_car_km("", 0.20),
    ),
    Action(
        "ebike_short_trips",
        "transportation",
        "Use an e-bike instead of the car for everyday trips",
        "An e-bike covers commutes of up to about 15 km (we assume 2,000 km a year moved "
        "from the car; the e-bike's own electricity is negligible).",
        "Try an e-bike for your commute; many employers offer cycle-to-work schemes.",
        "medium",
        _has("transportation", *CAR_KM),
        _move_car_km("", 1.0, cap_km=2_000),
    ),
    Action(
        "public_transport",
        "transportation",
        "Take the bus for regular journeys",
        "A bus seat emits a fraction of a car's per kilometre (we assume 30 % of your car "
        "distance moves to the bus).",
        "Plan regular journeys by bus; season tickets bring the cost down.",
        "medium",
        _has("transportation", *CAR_KM),
        _move_car_km("bus_km_per_year", 0.30),
    ),
    Action(
        "car_share",
        "transportation",
        "Share your car journeys",
        "Sharing the regular drive with one other person halves your share of those trips "
        "(we assume a quarter of your car distance).",
        "Join a car-share scheme or arrange lifts with colleagues and neighbours.",
        "low",
        _has("transportation", *CAR_KM),
        _move_car_km("", 0.125),
    ),
    Action(
        "eco_driving",
        "transportation",
        "Drive more smoothly",
        "Steady speeds, correct tyre pressure and a light load cut fuel use by about a tenth.",
        "Ease off the accelerator, check tyres monthly and remove roof racks when unused.",
        "low",
        _car_not_electric,
        _scale("transportation", 0.90, "car_km_per_year"),
    ),
    Action(
        "electric_car",
        "transportation",
        "Choose an electric car next",
        "An electric car runs on grid electricity, with far lower emissions per kilometre.",
        "When your car is due for replacement, choose a battery electric one.",
        "high",
        _car_not_electric,
        _electric_car,
    ),
    Action(
        "train_not_short_haul",
        "transportation",
        "Take the train instead of short-haul flights",
        "Rail emits a small fraction of a flight per kilometre over the same distance.",
        "Plan European and short trips by train; night trains save a hotel night.",
        "medium",
        _has("transportation", "flight_km_short_haul_per_year", "flights_short_haul_per_year"),
        _flights_to_rail("short_haul"),
    ),
    Action(
        "rail_not_domestic_flights",
        "transportation",
        "Take the train instead of domestic flights",
        "Domestic flights have the highest emissions per kilometre of any way to travel.",
        "Go by train for trips within the country.",
        "low",
        _has("transportation", "flight_km_domestic_per_year", "flights_domestic_per_year"),
        _flights_to_rail("domestic"),
    ),
    Action(
        "one_long_haul_fewer",
        "transportation",
        "Take one long-haul return flight fewer",
        "One long-haul return trip (about 14,000 km) is often the largest single item in a "
        "footprint.",
        "Holiday closer to home, or combine trips into fewer, longer ones.",
        "medium",
        _has("transportation", "flight_km_long_haul_per_year", "flights_long_haul_per_year"),
        _one_long_haul_fewer,
    ),
    # --- Waste
    Action(
        "recycle_more",
        "waste",
        "Recycle everything your council collects",
        "Recycled material avoids landfill emissions (we assume 70 % of waste recycled).",
        "Sort paper, card, glass, cans and plastics; check what your collection takes.",
        "low",
        _recycling_below(0.7),
        _recycle_more,
    ),
    Action(
        "compost_food_waste",
        "waste",
        "Compost food and garden waste",
        "Food rotting in landfill makes methane (we assume a fifth of your waste).",
        "Use your food-waste caddy or a home compost bin.",
        "low",
        _has("waste", "kg_per_week"),
        _scale("waste", 0.80, "kg_per_week"),
    ),
    Action(
        "less_packaging",
        "waste",
        "Buy with less packaging",
        "Loose produce, refills and reusable bags shrink the bin (we assume 15 % less waste).",
        "Choose loose fruit and vegetables, refill shops and reusable containers.",
        "low",
        _has("waste", "kg_per_week"),
        _scale("waste", 0.85, "kg_per_week"),
    ),
    # --- Lifestyle
    Action(
        "plant_rich_diet",
        "lifestyle",
        "Eat a plant-rich diet",
        "Moving two steps along from meat-heavy to plant-rich meals cuts food emissions "
        "(diet values from Scarborough et al. 2014).",
        "Base most meals on vegetables, pulses and grains; keep meat for occasions.",
        "medium",
        _diet_at_most("low_meat"),
        _diet_step(2),
    ),
    Action(
        "vegetarian_days",
        "lifestyle",
        "Have a few meat-free days a week",
        "Eating less meat moves you one step along the diet scale (Scarborough et al. 2014).",
        "Pick three days a week without meat; try new vegetarian recipes.",
        "low",
        _diet_at_most("average"),
        _diet_step(1),
    ),
    Action(
        "fewer_new_clothes",
        "lifestyle",
        "Buy fewer new clothes",
        "Clothing has a large supply-chain footprint (we assume you halve what you spend).",
        "Buy second-hand, repair, swap and rent; choose fewer, longer-lasting pieces.",
        "low",
        _has("lifestyle", "clothing_spend_per_month"),
        _scale("lifestyle", 0.5, "clothing_spend_per_month"),
    ),
    Action(
        "keep_electronics_longer",
        "lifestyle",
        "Keep phones and computers longer",
        "Most of a device's emissions come from making it (we assume 40 % less spending).",
        "Keep devices a couple of years longer; buy refurbished when you do replace them.",
        "low",
        _has("lifestyle", "electronics_spend_per_month"),
        _scale("lifestyle", 0.6, "electronics_spend_per_month"),
    ),
    Action(
        "repair_not_replace",
        "lifestyle",
        "Repair instead of replacing",
        "Mending furniture, appliances and goods avoids making new ones (we assume 20 % "
        "less spending on other goods).",
        "Use repair cafés and spare parts; borrow tools rather than buying them.",
        "medium",
        _has("lifestyle", "other_goods_spend_per_month"),
        _scale("lifestyle", 0.8, "other_goods_spend_per_month"),
    ),
    # --- Other
    Action(
        "lower_carbon_services",
        "other",
        "Spend less on high-carbon services",
        "Services such as takeaways, hotels and hospitality carry supply-chain emissions "
        "(we assume 15 % less spending on them).",
        "Cook at home more often and choose local leisure.",
        "low",
        _has("other", "services_spend_per_month"),
        _scale("other", 0.85, "services_spend_per_month"),
    ),
)

ACTIONS_BY_CODE = {action.code: action for action in CATALOGUE}
