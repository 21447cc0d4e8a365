//! Decode a calendar GlobalObjectId (base64, as EWS sends it, or hex) and print what it holds:
//! the clean form shared by a whole series, the instance date of an exception, and the
//! iCalendar UID.
//!
//! ```text
//! cargo run -p ews-notify --example decode_goid
//! cargo run -p ews-notify --example decode_goid -- 040000008200E00074C5B7101A82E008...
//! ```

use ews_notify::GlobalObjectId;

/// The exception of a recurring meeting that [MS-OXOCAL] section 4 prints (instance date
/// 2008-03-25).
const SAMPLE: &str = "040000008200E00074C5B7101A82E00807D803195025D461E473C8010000000000000000100000002A5844B3A444F74A9C246C60886F116B";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| SAMPLE.to_string());
    let goid = GlobalObjectId::decode(&text)?;
    println!("canonical JSON: {}", goid.to_json());
    println!("instance date:  {:?}", goid.instance_date());
    println!("clean form:     {}", goid.clean().to_base64());
    println!("iCalendar UID:  {}", goid.to_ical_uid());
    Ok(())
}
