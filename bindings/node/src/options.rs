//! Option objects shared by the exported functions and classes.

use napi::Env;
use napi_derive::napi;

use crate::error::out_of_range;

/// Caps for one parse. Omitted fields keep the defaults (16 MiB, depth 64, 100,000 events).
#[napi(object)]
#[derive(Debug, Default, Clone, Copy)]
pub struct ParseOptions {
    /// Largest input accepted, in bytes.
    pub max_bytes: Option<f64>,
    /// Deepest element nesting accepted.
    pub max_depth: Option<f64>,
    /// Most events accepted in one envelope.
    pub max_events: Option<f64>,
}

/// Caps for a [`crate::streaming::StreamSplitter`]. Omitted fields keep the defaults
/// (16 MiB per envelope, 256 MiB per stream).
#[napi(object)]
#[derive(Debug, Default, Clone, Copy)]
pub struct SplitterOptions {
    /// Largest single envelope accepted, in bytes.
    pub max_bytes: Option<f64>,
    /// Most bytes the whole stream may deliver.
    pub max_stream_bytes: Option<f64>,
}

/// Reads a count option: a non-negative integer no larger than 2^53 - 1.
fn count(env: &Env, name: &str, value: Option<f64>) -> napi::Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(v)
            if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 =>
        {
            Ok(Some(v as u64))
        }
        Some(v) => Err(out_of_range(env, name, v)),
    }
}

/// Reads a count option that core takes as `u32`; values past `u32::MAX` become `u32::MAX`, so
/// core reports them as out of its range.
pub fn count_u32(env: &Env, name: &str, value: Option<f64>) -> napi::Result<Option<u32>> {
    Ok(count(env, name, value)?.map(|v| u32::try_from(v).unwrap_or(u32::MAX)))
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl ParseOptions {
    /// The core limits these options describe.
    pub fn limits(options: Option<Self>, env: &Env) -> napi::Result<ews_notify::Limits> {
        let mut limits = ews_notify::Limits::default();
        let Some(o) = options else { return Ok(limits) };
        if let Some(v) = count(env, "maxBytes", o.max_bytes)? {
            limits.max_bytes = to_usize(v);
        }
        if let Some(v) = count(env, "maxDepth", o.max_depth)? {
            limits.max_depth = to_usize(v);
        }
        if let Some(v) = count(env, "maxEvents", o.max_events)? {
            limits.max_events = to_usize(v);
        }
        Ok(limits)
    }
}

impl SplitterOptions {
    /// The core limits these options describe.
    pub fn limits(options: Option<Self>, env: &Env) -> napi::Result<ews_notify::Limits> {
        let mut limits = ews_notify::Limits::default();
        let Some(o) = options else { return Ok(limits) };
        if let Some(v) = count(env, "maxBytes", o.max_bytes)? {
            limits.max_bytes = to_usize(v);
        }
        if let Some(v) = count(env, "maxStreamBytes", o.max_stream_bytes)? {
            limits.max_stream_bytes = v;
        }
        Ok(limits)
    }
}
