//! One mapper per message type (design.md §3 `v2_to_fhir/`), chosen by the SS-MIX2 data type.

pub mod adt;
pub mod adt_a60;
pub mod omd_o03;
pub mod omg_o19;
pub mod omi_z23;
pub mod oml_o33;
pub mod oru;
pub mod oul_r22;
pub mod ppr_zd1;
pub mod ras_o17;
pub mod rde_o11;
pub mod rds_o13;

use super::input::Input;
use super::output::{MapError, Output};

/// Maps the body of the message (everything but the MessageHeader and the Provenance).
pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let data_type = input.data_type.data_type.as_str();
    match data_type {
        "ADT-61" => adt_a60::map(input, out),
        d if d.starts_with("ADT-") => adt::map(input, out),
        "PPR-01" => ppr_zd1::map(input, out),
        "OMD" => omd_o03::map(input, out),
        "OMP-01" | "OMP-02" => rde_o11::map(input, out),
        "OMP-11" | "OMP-12" => ras_o17::map(input, out),
        // Not an SS-MIX2 standard data type: the extended-storage style name of the table.
        _ if input.data_type.message_type == "RDS" => rds_o13::map(input, out),
        "OML-01" => oml_o33::map(input, out),
        "OML-11" => oul_r22::map(input, out),
        "OMG-01" | "OMG-02" | "OMG-03" => omg_o19::map(input, out),
        "OMG-11" | "OMG-12" => omi_z23::map(input, out),
        _ if input.data_type.message_type == "ORU" => oru::map(input, out),
        _ => Err(MapError::Unsupported {
            message_type: format!(
                "{}^{}",
                input.data_type.message_type, input.data_type.trigger
            ),
        }),
    }
}
