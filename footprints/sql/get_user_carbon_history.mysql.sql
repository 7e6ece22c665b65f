-- GetUserCarbonHistory(p_user_id, p_limit): the user's latest p_limit calculations, newest first
-- (the order of footprints.selectors.footprint_list: calculation_date, then id, both descending).
-- One index range on footprints_user_date, read backwards. p_limit must be 1 or more.
-- MySQL/MariaDB only; created by footprints/migrations/0002 without DELIMITER, as one statement.
CREATE PROCEDURE GetUserCarbonHistory(IN p_user_id BIGINT, IN p_limit INT)
    READS SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'A user''s calculations, newest first, at most p_limit rows'
BEGIN
    IF p_limit IS NULL OR p_limit < 1 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'p_limit must be 1 or more';
    END IF;
    SELECT
        f.calculation_uuid,
        f.calculation_date,
        f.mode,
        f.country,
        f.total_emissions,
        f.electricity_emissions,
        f.heating_emissions,
        f.transportation_emissions,
        f.waste_emissions,
        f.lifestyle_emissions,
        f.other_emissions,
        f.confidence_score,
        f.factor_version
    FROM carbon_footprints AS f
    WHERE f.user_id = p_user_id
    ORDER BY f.calculation_date DESC, f.id DESC
    LIMIT p_limit;
END
