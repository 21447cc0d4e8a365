//! The JSON Schema of the meeting event (feature `schema`) describes the canonical JSON.
#![cfg(feature = "schema")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn schema_names_every_change_and_key() {
    let schema = schemars::schema_for!(ews_notify_meetings::MeetingEvent);
    let text = serde_json::to_string(&schema).unwrap();
    for change in [
        "created",
        "updated",
        "cancelled",
        "deleted",
        "removedFromCalendar",
        "moved",
        "occurrenceChanged",
        "occurrenceDeleted",
        "seriesSplit",
        "unresolved",
    ] {
        assert!(text.contains(&format!("\"{change}\"")), "{change} missing");
    }
    for key in [
        "eventId",
        "cleanGlobalObjectId",
        "icalUid",
        "instanceDate",
        "splitDate",
        "cause",
    ] {
        assert!(text.contains(&format!("\"{key}\"")), "{key} missing");
    }
}
