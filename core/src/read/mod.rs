//! How bytes BECOME a value: the readers that build the [`crate::model`] types from XML.
//!
//! One forward pass over the tokens of [`crate::xml`], no tree in between. The modules depend on
//! each other one way only: `parser` (the envelope, its header, body and faults) uses `response`
//! (notification message kinds) and `item` (item response kinds); both use `status` (the
//! `ResponseMessageType` fields); `response` uses `notification`; all use `context` (the parse
//! state and its errors).

mod context;
mod item;
mod notification;
mod parser;
mod response;
mod status;

pub use parser::Parser;
