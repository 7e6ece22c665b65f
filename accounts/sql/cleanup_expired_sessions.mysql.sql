-- CleanupExpiredSessions(p_batch, p_revoked_retention_days): delete the user_sessions rows that
-- no longer serve anyone, p_batch rows per DELETE, and end with one row: `deleted`, the total.
--   * a session that expired without being revoked goes at once (expires_at <= now);
--   * a revoked session stays p_revoked_retention_days after its revocation, so the history of
--     signed-out devices can still be read, then goes, whether it has expired or not.
-- An active session (not revoked, not expired) is never touched. Times are UTC, as Django
-- stores them (USE_TZ). Each DELETE is an index range (expires_at, revoked_at); in autocommit
-- each batch commits on its own, so locks stay short. Inside a caller's transaction (tests) it
-- all stays in that transaction: the procedure never commits itself.
-- MySQL/MariaDB only; created by accounts/migrations/0003 without DELIMITER, as one statement.
CREATE PROCEDURE CleanupExpiredSessions(IN p_batch INT, IN p_revoked_retention_days INT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'Delete expired and long-revoked user_sessions in batches; returns deleted'
BEGIN
    DECLARE v_now DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
    DECLARE v_revoked_before DATETIME(6);
    DECLARE v_batch_deleted INT DEFAULT 0;
    DECLARE v_total BIGINT DEFAULT 0;
    IF p_batch IS NULL OR p_batch < 1 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'p_batch must be 1 or more';
    END IF;
    IF p_revoked_retention_days IS NULL OR p_revoked_retention_days < 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'p_revoked_retention_days must be 0 or more';
    END IF;
    SET v_revoked_before = v_now - INTERVAL p_revoked_retention_days DAY;
    REPEAT
        DELETE FROM user_sessions
        WHERE expires_at <= v_now AND revoked_at IS NULL
        LIMIT p_batch;
        SET v_batch_deleted = ROW_COUNT();
        SET v_total = v_total + v_batch_deleted;
    UNTIL v_batch_deleted < p_batch END REPEAT;
    REPEAT
        DELETE FROM user_sessions
        WHERE revoked_at < v_revoked_before
        LIMIT p_batch;
        SET v_batch_deleted = ROW_COUNT();
        SET v_total = v_total + v_batch_deleted;
    UNTIL v_batch_deleted < p_batch END REPEAT;
    SELECT v_total AS deleted;
END
