//! Parse the body of a push notification (what Exchange POSTs to a listener) and print its
//! events, then the canonical JSON.
//!
//! ```text
//! cargo run -p ews-notify --example parse_push                 # a built-in sample
//! cargo run -p ews-notify --example parse_push -- body.xml     # a body you saved
//! ```

const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
        <m:SendNotificationResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Notification>
            <t:SubscriptionId>FQBleGNoMDEuY29udG9zby5jb20QAAAA</t:SubscriptionId>
            <t:PreviousWatermark>AQAAAA==</t:PreviousWatermark>
            <t:MoreEvents>false</t:MoreEvents>
            <t:CreatedEvent>
              <t:Watermark>AQAAAB==</t:Watermark>
              <t:TimeStamp>2026-11-23T09:30:00Z</t:TimeStamp>
              <t:ItemId Id="AAMkADk=" ChangeKey="DwAAAA=="/>
              <t:ParentFolderId Id="AAMkADc=" ChangeKey="AQAAAA=="/>
            </t:CreatedEvent>
          </m:Notification>
        </m:SendNotificationResponseMessage>
      </m:ResponseMessages>
    </m:SendNotification>
  </soap:Body>
</soap:Envelope>"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read(path)?,
        None => SAMPLE.as_bytes().to_vec(),
    };
    // Borrows from `bytes`; a bad body is an `Error` with a stable code and a byte offset.
    let envelope = ews_notify::parse_notification(&bytes)?;
    println!("{} envelope", envelope.body.kind());
    for message in envelope.body.response_messages() {
        for notification in &message.notifications {
            for event in &notification.events {
                println!(
                    "{:?} item {:?} at {:?}",
                    event.kind,
                    event.item_id.as_ref().map(|id| &id.id),
                    event.timestamp
                );
            }
        }
    }
    println!("{}", envelope.to_json());
    Ok(())
}
