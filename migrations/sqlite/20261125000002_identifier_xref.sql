-- Identifier cross-reference (design.md §2): the consultation zone never learns hospital-internal
-- identifiers (e.g. JP Core 患者番号); it sees a random zone-facing token for each one instead.
CREATE TABLE identifier_xref (
    zone         TEXT   NOT NULL,
    local_system TEXT   NOT NULL,
    local_value  TEXT   NOT NULL,
    token        TEXT   NOT NULL,
    created_ms   BIGINT NOT NULL,
    PRIMARY KEY (zone, local_system, local_value)
);
CREATE UNIQUE INDEX identifier_xref_by_token ON identifier_xref (zone, token);
