-- HL7 v2 messages received (issue #5): one row per (sender, MSH-10), written in the same transaction as
-- the resources the message mapped to, with the ACK that was answered (a re-sent message gets it again).
CREATE TABLE hl7v2_messages (
  sender TEXT NOT NULL,          -- MSH-3 and MSH-4 as written, joined with '|'
  control_id TEXT NOT NULL,      -- MSH-10
  received_ms BIGINT NOT NULL,
  channel TEXT NOT NULL,         -- 'mllp' | 'http' | 'ssmix2'
  data_type TEXT NOT NULL,       -- SS-MIX2 data type (Mapped::data_type)
  patient TEXT,                  -- Patient/{id} (Mapped::patient)
  file_name TEXT,                -- SS-MIX2 file name when imported from a storage tree
  state TEXT NOT NULL,           -- 'current' | 'superseded' | 'deleted' (SS-MIX2 condition flag 1 / 2 / 0)
  content_sha256 TEXT NOT NULL,  -- hex SHA-256 of raw
  raw BYTEA NOT NULL,             -- the bytes as received, original charset
  ack TEXT NOT NULL,             -- the ACK we answered
  PRIMARY KEY (sender, control_id)
);
CREATE INDEX hl7v2_messages_by_patient ON hl7v2_messages (patient);
