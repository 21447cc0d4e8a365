//! Opaque identifiers the simulator hands out: watermarks, sync states, subscription, item,
//! folder ids and change keys.
//!
//! Exchange's values are base64 of a binary structure the client must not look into; the
//! simulator's are too. Tests may decode them with the functions here to check *where* a value
//! points (for example which part of the event log a catch-up covered), never the client.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Marker bytes that tell the simulator's structures apart.
const WATERMARK_TAG: [u8; 4] = [1, 0, 0, 0];
const SYNC_TAG: [u8; 4] = *b"SIMS";
const ITEM_TAG: [u8; 4] = *b"SIMI";
const FOLDER_TAG: [u8; 4] = *b"SIMF";
const OCCURRENCE_TAG: [u8; 4] = *b"SIMO";

/// A mailbox's 16-byte GUID, derived from its index so runs are reproducible.
pub fn mailbox_guid(index: u32) -> [u8; 16] {
    let mut g = [0u8; 16];
    g[..4].copy_from_slice(&0x5eed_0000_u32.to_le_bytes());
    g[4..8].copy_from_slice(&index.to_le_bytes());
    g[8..].copy_from_slice(b"ews-sim!");
    g
}

fn encode(tag: [u8; 4], guid: &[u8; 16], value: u64) -> String {
    let mut b = Vec::with_capacity(28);
    b.extend_from_slice(&tag);
    b.extend_from_slice(guid);
    b.extend_from_slice(&value.to_le_bytes());
    STANDARD.encode(b)
}

fn decode(tag: [u8; 4], text: &str) -> Option<([u8; 16], u64)> {
    let b = STANDARD.decode(text.trim()).ok()?;
    if b.len() != 28 || b[..4] != tag {
        return None;
    }
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&b[4..20]);
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[20..28]);
    Some((guid, u64::from_le_bytes(v)))
}

/// The watermark for "after event `position`" in the mailbox with `guid`.
pub fn watermark(guid: &[u8; 16], position: u64) -> String {
    encode(WATERMARK_TAG, guid, position)
}

/// The mailbox GUID and log position a watermark encodes, if it is one of the simulator's.
pub fn decode_watermark(text: &str) -> Option<([u8; 16], u64)> {
    decode(WATERMARK_TAG, text)
}

/// The SyncFolderItems state for "changes after log position `position`".
pub fn sync_state(guid: &[u8; 16], position: u64) -> String {
    encode(SYNC_TAG, guid, position)
}

/// The mailbox GUID and log position a sync state encodes.
pub fn decode_sync_state(text: &str) -> Option<([u8; 16], u64)> {
    decode(SYNC_TAG, text)
}

/// An item id.
pub fn item_id(guid: &[u8; 16], serial: u64) -> String {
    encode(ITEM_TAG, guid, serial)
}

/// The serial number an item id of [`item_id`] encodes.
pub fn decode_item_serial(text: &str) -> Option<u64> {
    decode(ITEM_TAG, text).map(|(_, s)| s)
}

/// The id of occurrence `index` (1-based) of the series whose master has item serial
/// `master_serial`.
pub fn occurrence_id(guid: &[u8; 16], master_serial: u64, index: u32) -> String {
    let mut b = Vec::with_capacity(32);
    b.extend_from_slice(&OCCURRENCE_TAG);
    b.extend_from_slice(guid);
    b.extend_from_slice(&master_serial.to_le_bytes());
    b.extend_from_slice(&index.to_le_bytes());
    STANDARD.encode(b)
}

/// The mailbox GUID, master serial and index an occurrence id encodes.
pub fn decode_occurrence_id(text: &str) -> Option<([u8; 16], u64, u32)> {
    let b = STANDARD.decode(text.trim()).ok()?;
    if b.len() != 32 || b[..4] != OCCURRENCE_TAG {
        return None;
    }
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&b[4..20]);
    let mut s = [0u8; 8];
    s.copy_from_slice(&b[20..28]);
    let mut i = [0u8; 4];
    i.copy_from_slice(&b[28..32]);
    Some((guid, u64::from_le_bytes(s), u32::from_le_bytes(i)))
}

/// A folder id (`serial` numbers the mailbox's folders).
pub fn folder_id(guid: &[u8; 16], serial: u64) -> String {
    encode(FOLDER_TAG, guid, serial)
}

/// The mailbox GUID and folder serial a folder id encodes.
pub fn decode_folder_id(text: &str) -> Option<([u8; 16], u64)> {
    decode(FOLDER_TAG, text)
}

/// The mailbox GUID an item id encodes.
pub fn decode_item_guid(text: &str) -> Option<[u8; 16]> {
    decode(ITEM_TAG, text).map(|(g, _)| g)
}

/// A change key for version `version` of an item or folder.
pub fn change_key(version: u32) -> String {
    let mut b = *b"CK\0\0\0\0";
    b[2..].copy_from_slice(&version.to_le_bytes());
    STANDARD.encode(b)
}

/// The version a change key encodes.
pub fn decode_change_key(text: &str) -> Option<u32> {
    let b = STANDARD.decode(text.trim()).ok()?;
    if b.len() != 6 || &b[..2] != b"CK" {
        return None;
    }
    Some(u32::from_le_bytes([b[2], b[3], b[4], b[5]]))
}

/// A subscription id shaped like Exchange's: a length-prefixed server name then 16 bytes.
pub fn subscription_id(server: &str, serial: u64) -> String {
    let mut b = Vec::with_capacity(1 + server.len() + 16);
    b.push(u8::try_from(server.len()).unwrap_or(u8::MAX));
    b.extend_from_slice(server.as_bytes());
    b.extend_from_slice(&serial.to_le_bytes());
    b.extend_from_slice(b"subscrpt");
    STANDARD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermark_round_trips_and_is_exchange_length() {
        let g = mailbox_guid(7);
        let w = watermark(&g, 42);
        assert_eq!(
            w.len(),
            40,
            "28 bytes of base64, like Exchange's watermarks"
        );
        assert_eq!(decode_watermark(&w), Some((g, 42)));
        assert_eq!(
            decode_sync_state(&w),
            None,
            "a watermark is not a sync state"
        );
    }

    #[test]
    fn change_key_round_trips() {
        assert_eq!(decode_change_key(&change_key(9)), Some(9));
        assert_eq!(decode_change_key("AQAAAA=="), None);
    }
}
