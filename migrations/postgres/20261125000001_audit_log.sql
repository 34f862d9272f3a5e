-- The audit log (issue #3, seed rule S8): one row per request, message or handshake on every zone, allowed
-- or refused. Append-only (the triggers below) and hash-chained: hash = SHA-256(prev_hash, seq, every
-- column), see gateway/src/audit/chain.rs. audit_head holds the newest seq and hash, locked (FOR UPDATE) and
-- advanced by the insert trigger below in the same statement as the rows, so several gateways sharing this
-- database write one chain and deleting the last rows is detectable. No patient data: `target` carries server ids only. Timestamps
-- are epoch milliseconds.
CREATE TABLE audit_log (
    seq           BIGINT NOT NULL PRIMARY KEY,
    recorded_ms   BIGINT NOT NULL,
    zone          TEXT   NOT NULL,
    channel       TEXT   NOT NULL,
    action        TEXT   NOT NULL,
    resource_type TEXT,
    target        TEXT,
    who_kind      TEXT   NOT NULL,
    who_name      TEXT   NOT NULL,
    who_serial    TEXT,
    who_issuer    TEXT,
    who_roles     TEXT   NOT NULL,
    outcome       TEXT   NOT NULL,
    status        BIGINT,
    reason        TEXT,
    source        TEXT,
    prev_hash     TEXT   NOT NULL,
    hash          TEXT   NOT NULL
);

CREATE TABLE audit_head (
    id   BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The chain is enforced on insert: each row must follow the head (locked, so gateways sharing the database
-- take turns), which then moves to it. One multi-row INSERT per batch is the whole write.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq  BIGINT;
    head_hash TEXT;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
    IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
        RAISE EXCEPTION 'audit_log chain: row % does not follow the head (%)', NEW.seq, head_seq;
    END IF;
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
