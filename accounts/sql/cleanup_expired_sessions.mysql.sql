-- CleanupExpiredSessions(p_batch, p_retention_days): delete the user_sessions rows of devices
-- that ended (expired, or were revoked) more than p_retention_days days ago, p_batch rows per
-- DELETE, and end with one row: `deleted`, the total. The rule of the cleanup job
-- (carbon_site.retention.sessions_cleanup_expired); pass REVOKED_SESSION_RETENTION_DAYS (30).
-- Until then an ended session is kept, so the history of signed-out devices can still be read;
-- with 0 every expired or revoked session goes at once. An active session (not revoked, not
-- expired) is never touched. Times are UTC, as Django stores them (USE_TZ). Each DELETE is an
-- index range (expires_at, revoked_at); in autocommit each batch commits on its own, so locks
-- stay short. Inside a caller's transaction (tests) it all stays in that transaction: the
-- procedure never commits itself.
-- MySQL/MariaDB only; created by accounts/migrations/0003 without DELIMITER, as one statement.
CREATE PROCEDURE CleanupExpiredSessions(IN p_batch INT, IN p_retention_days INT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'Delete user_sessions ended over p_retention_days ago, in batches; returns deleted'
BEGIN
    DECLARE v_ended_before DATETIME(6);
    DECLARE v_batch_deleted INT DEFAULT 0;
    DECLARE v_total BIGINT DEFAULT 0;
    IF p_batch IS NULL OR p_batch < 1 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'p_batch must be 1 or more';
    END IF;
    IF p_retention_days IS NULL OR p_retention_days < 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'p_retention_days must be 0 or more';
    END IF;
    SET v_ended_before = UTC_TIMESTAMP(6) - INTERVAL p_retention_days DAY;
    REPEAT
        DELETE FROM user_sessions WHERE expires_at < v_ended_before LIMIT p_batch;
        SET v_batch_deleted = ROW_COUNT();
        SET v_total = v_total + v_batch_deleted;
    UNTIL v_batch_deleted < p_batch END REPEAT;
    REPEAT
        DELETE FROM user_sessions WHERE revoked_at < v_ended_before LIMIT p_batch;
        SET v_batch_deleted = ROW_COUNT();
        SET v_total = v_total + v_batch_deleted;
    UNTIL v_batch_deleted < p_batch END REPEAT;
    SELECT v_total AS deleted;
END
