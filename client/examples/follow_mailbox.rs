//! Follow one mailbox's calendar and print each event as it arrives, with the position to
//! resume from.
//!
//! ```text
//! cargo run -p ews-notify-client --example follow_mailbox
//!     # against the in-process EWS simulator (a test double): creates an item, prints its event
//! EWS_URL=https://mail.example.com/EWS/Exchange.asmx EWS_USER='CONTOSO\svc' EWS_PASSWORD=... \
//!   EWS_MAILBOX=room1@example.com cargo run -p ews-notify-client --example follow_mailbox
//!     # a real server, NTLM; runs until stopped
//! ```

use std::time::Duration;

use ews_notify_client::{Client, StreamingOptions, Update, Watch, watch_streaming};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (client, mailbox, simulator) = match std::env::var("EWS_URL") {
        Ok(url) => {
            let client = Client::builder(url)
                .ntlm(std::env::var("EWS_USER")?, std::env::var("EWS_PASSWORD")?)
                .build()?;
            (client, std::env::var("EWS_MAILBOX")?, None)
        }
        Err(_) => {
            let sim = ews_sim::Simulator::start(ews_sim::Config::default()).await?;
            sim.add_mailbox("alice@example.com");
            let client = Client::builder(sim.url()).build()?;
            (client, "alice@example.com".to_string(), Some(sim))
        }
    };
    // One streaming connection for the mailbox; re-created (with a catch-up) when it breaks.
    let mut streams = watch_streaming(
        &client,
        vec![Watch::calendar(mailbox.clone())],
        StreamingOptions::default(),
    );
    let mut stream = streams.remove(0);
    if let Some(sim) = &simulator {
        // Give the subscription a moment, then make a change for it to report.
        while sim.stats().subscriptions == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sim.create_item(&mailbox, ews_sim::NewItem::single("Design review"))
            .ok_or("the simulator has no such mailbox")?;
    }
    while let Some(update) = stream.next().await {
        match update {
            Update::Event(d) => {
                println!(
                    "{} {:?} item {:?} (resume from {:?})",
                    d.mailbox,
                    d.event.kind,
                    d.event.item_id.as_ref().map(|id| &id.id),
                    d.position.watermark
                );
                if simulator.is_some() && d.event.item_id.is_some() {
                    break;
                }
            }
            Update::Recovery { mailbox, recovery } => eprintln!("{mailbox}: {recovery:?}"),
            Update::Failed { mailbox, error } => {
                eprintln!("{mailbox}: stopped: {error}");
                break;
            }
        }
    }
    Ok(())
}
