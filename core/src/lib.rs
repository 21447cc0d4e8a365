//! Zero-copy parser for Microsoft Exchange Web Services (EWS) notifications, with
//! GlobalObjectId decoding and the EWS requests a notification client sends.
//!
//! (Crate docs, example and feature list are completed with the parser.)
#![deny(missing_docs)]

pub mod envelope;
mod error;
pub mod event;
pub mod fault;
pub mod goid;
mod limits;
pub mod repair;
pub mod request;
pub mod streaming;

pub use envelope::{
    Body, ConnectionStatus, Envelope, MessageXml, ResponseClass, ResponseMessage, ServerVersion,
    SoapVersion,
};
pub use error::{Error, ErrorKind};
pub use event::{Event, EventKind, Notification, ObjectId};
pub use fault::{Fault, ResponseCode};
pub use limits::Limits;
