-- The calculations of the last 30 days (UTC), anonymous ones included (user_id NULL), with
-- their totals. Reads carbon_footprints only; the user's email comes from users through the
-- unmanaged model's foreign key, so a change to users never touches this view.
-- Django stores datetimes on SQLite as UTC text "YYYY-MM-DD HH:MM:SS.ffffff": the bound is the
-- same text form, so the comparison is the same as on MySQL (and uses footprints_date).
CREATE VIEW recent_calculations AS
SELECT
    f.id AS id,
    f.calculation_uuid AS calculation_uuid,
    f.user_id AS user_id,
    f.is_anonymous AS is_anonymous,
    f.mode AS mode,
    f.country AS country,
    f.calculation_date AS calculation_date,
    f.total_emissions AS total_emissions,
    f.electricity_emissions AS electricity_emissions,
    f.heating_emissions AS heating_emissions,
    f.transportation_emissions AS transportation_emissions,
    f.waste_emissions AS waste_emissions,
    f.lifestyle_emissions AS lifestyle_emissions,
    f.other_emissions AS other_emissions,
    f.confidence_score AS confidence_score
FROM carbon_footprints AS f
WHERE f.calculation_date >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-30 days')
