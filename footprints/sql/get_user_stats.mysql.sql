-- GetUserStats(p_user_id): one row with the numbers of the stats API
-- (footprints.selectors.footprint_stats): count, first and latest date, latest, min, max and
-- average total, the average of each category; plus the first and previous totals from which
-- the API's change_since_first and change_since_previous follow.
-- Averages are exact (AVG of decimal(12,3) is decimal(16,7)); the API rounds them to the gram
-- (half to even). A user with no calculation gets count 0 and NULLs.
-- Every part is an index range or probe on footprints_user_date.
-- MySQL/MariaDB only; created by footprints/migrations/0002 without DELIMITER, as one statement.
CREATE PROCEDURE GetUserStats(IN p_user_id BIGINT)
    READS SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'The stats API''s numbers for one user, in one row'
BEGIN
    SELECT
        COUNT(*) AS calculation_count,
        MIN(f.calculation_date) AS first_date,
        MAX(f.calculation_date) AS latest_date,
        (
            SELECT latest.total_emissions
            FROM carbon_footprints AS latest
            WHERE latest.user_id = p_user_id
            ORDER BY latest.calculation_date DESC, latest.id DESC
            LIMIT 1
        ) AS latest_total,
        (
            SELECT previous.total_emissions
            FROM carbon_footprints AS previous
            WHERE previous.user_id = p_user_id
            ORDER BY previous.calculation_date DESC, previous.id DESC
            LIMIT 1 OFFSET 1
        ) AS previous_total,
        (
            SELECT earliest.total_emissions
            FROM carbon_footprints AS earliest
            WHERE earliest.user_id = p_user_id
            ORDER BY earliest.calculation_date, earliest.id
            LIMIT 1
        ) AS first_total,
        MIN(f.total_emissions) AS min_total,
        MAX(f.total_emissions) AS max_total,
        AVG(f.total_emissions) AS average_total,
        AVG(f.electricity_emissions) AS average_electricity,
        AVG(f.heating_emissions) AS average_heating,
        AVG(f.transportation_emissions) AS average_transportation,
        AVG(f.waste_emissions) AS average_waste,
        AVG(f.lifestyle_emissions) AS average_lifestyle,
        AVG(f.other_emissions) AS average_other
    FROM carbon_footprints AS f
    WHERE f.user_id = p_user_id;
END
