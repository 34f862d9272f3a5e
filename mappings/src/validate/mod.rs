//! FHIR R4 and profile validation driven by StructureDefinition snapshots (issue #4).
