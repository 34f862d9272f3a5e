//! FHIRPath (http://hl7.org/fhirpath/N1/) for the invariants in StructureDefinition snapshots.
