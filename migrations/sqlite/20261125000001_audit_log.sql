-- The audit log (issue #3, seed rule S8): one row per request, message or handshake on every zone, allowed
-- or refused. Append-only (the triggers below) and hash-chained: hash = SHA-256(prev_hash, seq, every
-- column), see gateway/src/audit/chain.rs. audit_head holds the newest seq and hash, advanced by the
-- trigger below in the same statement as the rows, so deleting the last rows is detectable; a row that does
-- not follow the head (a stale writer) is refused by the database itself. No patient data: `target` carries server
-- ids only. Timestamps are epoch milliseconds.
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

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;

-- The chain is enforced on insert: each row must follow the head, which then moves to it. One multi-row
-- INSERT per batch is the whole write (no separate head read or update).
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
WHEN NEW.seq <> (SELECT seq FROM audit_head WHERE id = 1) + 1
  OR NEW.prev_hash <> (SELECT hash FROM audit_head WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit_log chain: the row does not follow the head');
END;

CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
