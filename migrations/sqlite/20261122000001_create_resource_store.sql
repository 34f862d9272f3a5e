-- The FHIR resource store: the current version of each resource, every version, and search indexes.
-- Timestamps are epoch milliseconds (BIGINT) so both backends compare them the same way.
CREATE TABLE resources (
    resource_type   TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    version_id      BIGINT  NOT NULL,
    last_updated_ms BIGINT  NOT NULL,
    deleted         BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_type, id)
);
CREATE INDEX resources_by_last_updated ON resources (resource_type, last_updated_ms);

CREATE TABLE resource_versions (
    resource_type   TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    version_id      BIGINT  NOT NULL,
    last_updated_ms BIGINT  NOT NULL,
    method          TEXT    NOT NULL,
    content         TEXT,
    PRIMARY KEY (resource_type, id, version_id)
);

CREATE TABLE search_tokens (
    resource_type TEXT NOT NULL,
    id            TEXT NOT NULL,
    param         TEXT NOT NULL,
    system        TEXT,
    code          TEXT NOT NULL
);
CREATE INDEX search_tokens_by_value ON search_tokens (resource_type, param, code, system);
CREATE INDEX search_tokens_by_resource ON search_tokens (resource_type, id);

CREATE TABLE search_references (
    resource_type TEXT NOT NULL,
    id            TEXT NOT NULL,
    param         TEXT NOT NULL,
    target_type   TEXT NOT NULL,
    target_id     TEXT NOT NULL
);
CREATE INDEX search_references_by_target ON search_references (resource_type, param, target_id, target_type);
CREATE INDEX search_references_by_resource ON search_references (resource_type, id);

CREATE TABLE search_dates (
    resource_type TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    param         TEXT   NOT NULL,
    low_ms        BIGINT NOT NULL,
    high_ms       BIGINT NOT NULL
);
CREATE INDEX search_dates_by_low ON search_dates (resource_type, param, low_ms);
CREATE INDEX search_dates_by_resource ON search_dates (resource_type, id);
