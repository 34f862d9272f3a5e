//! Segment mappers shared by the message mappers: each reads one segment (or a segment group) and adds
//! resources or elements. One file per segment; a segment only one message type carries may live in that
//! message's file.

pub mod al1;
pub mod groups;
pub mod msh;
pub mod nk1;
pub mod obr;
pub mod obx;
pub mod orc;
pub mod pid;
pub mod pv1;
pub mod request;
pub mod results;
pub mod rx_dosage;
pub mod rx_medication;
pub mod rx_order;
pub mod rx_people;
pub mod spm;
pub mod xcn;
