//! The operations around items and folders a general EWS client needs.

use axum::http::HeaderMap;
use axum::response::Response;

use super::Shared;
use crate::read::Request;

/// Answers the operations of this module; `None` for an operation the simulator does not
/// serve.
pub(super) fn answer(_shared: &Shared, _req: &Request, _headers: &HeaderMap) -> Option<Response> {
    None
}
