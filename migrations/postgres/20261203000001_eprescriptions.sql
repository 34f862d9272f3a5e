-- E-prescriptions accepted from the consultation zone (issue #7) and served to pharmacies by their
-- exchange number (引換番号). One row per prescription; its state moves open → dispensing → open … → closed.
CREATE TABLE eprescriptions (
  id TEXT PRIMARY KEY,                  -- PrescriptionId of the signed document (PrescriptionManagement)
  exchange_number TEXT NOT NULL,        -- 6 digits, unique among prescriptions that are not closed
  state TEXT NOT NULL,                  -- 'open' | 'dispensing' | 'closed'
  birth_date TEXT NOT NULL,             -- the patient's birth date (YYYY-MM-DD): the look-up's second factor
  record_id TEXT,                       -- the consultation record it was prescribed in
  dispensings_allowed BIGINT NOT NULL,  -- 1, or the number of 分割 (split) dispensings
  dispensings_done BIGINT NOT NULL,
  signer TEXT NOT NULL,                 -- the signing doctor as named by the HPKI signature certificate
  dispenser TEXT,                       -- while dispensing: the client that was served (its certificate)
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  document TEXT NOT NULL,               -- the FHIR prescription document Bundle (JSON)
  signed_xml TEXT NOT NULL              -- the XAdES-signed prescription document as received
);
CREATE UNIQUE INDEX eprescriptions_active_exchange_number
  ON eprescriptions (exchange_number) WHERE state <> 'closed';

-- The dispensing results pharmacies post back, one row per dispensing.
CREATE TABLE eprescription_dispensings (
  prescription_id TEXT NOT NULL REFERENCES eprescriptions (id),
  seq BIGINT NOT NULL,                     -- 1, 2, … (the dispensing's number among the split ones)
  recorded_ms BIGINT NOT NULL,
  pharmacist TEXT NOT NULL,             -- the pharmacist's certificate subject
  result TEXT NOT NULL,                 -- the posted FHIR resource (JSON)
  PRIMARY KEY (prescription_id, seq)
);
