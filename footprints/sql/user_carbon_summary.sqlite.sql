-- One row per user with at least one calculation: how many, when, and the totals' statistics.
-- Reads carbon_footprints only (its user_id, calculation_date and emissions columns).
-- Averages are rounded to the gram (ROUND: half away from zero); GetUserStats returns them exact.
-- SQLite has no SQL SECURITY clause; otherwise the same as the MySQL/MariaDB file.
CREATE VIEW user_carbon_summary AS
SELECT
    f.user_id AS user_id,
    COUNT(*) AS calculation_count,
    MIN(f.calculation_date) AS first_calculation_date,
    MAX(f.calculation_date) AS latest_calculation_date,
    (
        SELECT latest.total_emissions
        FROM carbon_footprints AS latest
        WHERE latest.user_id = f.user_id
        ORDER BY latest.calculation_date DESC, latest.id DESC
        LIMIT 1
    ) AS latest_total,
    MIN(f.total_emissions) AS min_total,
    MAX(f.total_emissions) AS max_total,
    ROUND(AVG(f.total_emissions), 3) AS average_total,
    ROUND(AVG(f.electricity_emissions), 3) AS average_electricity,
    ROUND(AVG(f.heating_emissions), 3) AS average_heating,
    ROUND(AVG(f.transportation_emissions), 3) AS average_transportation,
    ROUND(AVG(f.waste_emissions), 3) AS average_waste,
    ROUND(AVG(f.lifestyle_emissions), 3) AS average_lifestyle,
    ROUND(AVG(f.other_emissions), 3) AS average_other
FROM carbon_footprints AS f
WHERE f.user_id IS NOT NULL
GROUP BY f.user_id
