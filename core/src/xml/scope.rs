//! Namespace scopes: which URI each prefix is bound to at the current element.
//!
//! A lookup costs the same however many bindings are in scope: up to [`INDEX_FROM`] bindings it
//! is a short scan (what every real envelope has: a handful of `xmlns` on the root), and past
//! that a map from prefix to the stack of its bindings answers it. Without the map, a document
//! declaring 30,000 prefixes and using one of them in 500,000 elements cost 15 billion string
//! comparisons.

use std::borrow::Cow;
use std::sync::Arc;

use super::Ns;
use super::table::StrTable;

/// Bindings in scope past which lookups go through the map. Below it, a scan of the bindings
/// (innermost first) is cheaper than hashing the prefix.
const INDEX_FROM: usize = 16;

/// The namespace URI the `xml` prefix is always bound to.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// A namespace URI: a slice of the input, or the decoded text of a value with references in it,
/// shared so that every element in that namespace names it without a copy.
#[derive(Debug, Clone)]
pub(crate) enum Uri<'a> {
    /// A slice of the input (or a constant).
    Borrowed(&'a str),
    /// A decoded value.
    Shared(Arc<str>),
}

impl Uri<'_> {
    /// The URI's text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Uri::Borrowed(s) => s,
            Uri::Shared(s) => s,
        }
    }
}

/// What a prefix resolves to.
pub(crate) struct Resolved<'a> {
    /// The namespace, classified once when the binding was read.
    pub ns: Ns,
    /// The URI when `ns` is [`Ns::Other`].
    pub other_uri: Option<Uri<'a>>,
}

/// One `xmlns` or `xmlns:prefix` declaration in scope.
struct Binding<'a> {
    /// The prefix; empty for the default namespace.
    prefix: Cow<'a, str>,
    /// The namespace, [`Ns::None`] when `xmlns=""` removes the default namespace.
    ns: Ns,
    /// The URI when `ns` is [`Ns::Other`].
    other_uri: Option<Uri<'a>>,
    /// Depth of the element that declared it.
    depth: usize,
    /// The binding of the same prefix this one hides (an index into the bindings), kept while
    /// the map is in use.
    shadowed: Option<usize>,
}

/// The bindings in scope, innermost last.
#[derive(Default)]
pub(crate) struct Scopes<'a> {
    bindings: Vec<Binding<'a>>,
    /// Prefix to the index (into `bindings`) of its innermost binding, `None` once none is in
    /// scope; kept while more than [`INDEX_FROM`] / 2 bindings are in scope once there were
    /// more than [`INDEX_FROM`] (the gap keeps a document that hovers around the threshold from
    /// rebuilding it each tag).
    index: Option<StrTable<Cow<'a, str>, Option<usize>>>,
    /// Bindings and map entries looked at, for the tests that bound the work per lookup.
    #[cfg(test)]
    pub(crate) probes: std::cell::Cell<u64>,
}

impl<'a> Scopes<'a> {
    /// Binds `prefix` (empty for the default namespace) to `uri` (empty to remove the default
    /// namespace) for the element at `depth` and its content.
    pub(crate) fn push(&mut self, prefix: Cow<'a, str>, uri: Uri<'a>, depth: usize) {
        let (ns, other_uri) = match uri.as_str() {
            "" => (Ns::None, None),
            text => {
                let ns = Ns::classify(text);
                (ns, (ns == Ns::Other).then_some(uri))
            }
        };
        let at = self.bindings.len();
        let mut shadowed = None;
        if let Some(index) = &mut self.index {
            let (previous, probes) = index.insert(prefix.clone(), Some(at));
            shadowed = previous.flatten();
            self.probe(probes);
        }
        self.bindings.push(Binding {
            prefix,
            ns,
            other_uri,
            depth,
            shadowed,
        });
        if self.index.is_none() && self.bindings.len() > INDEX_FROM {
            let mut index = StrTable::with_capacity(self.bindings.len());
            for (i, b) in self.bindings.iter_mut().enumerate() {
                let (previous, _) = index.insert(b.prefix.clone(), Some(i));
                b.shadowed = previous.flatten();
            }
            self.index = Some(index);
        }
    }

    /// Drops the bindings declared at `depth` or deeper.
    pub(crate) fn pop(&mut self, depth: usize) {
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            let Some(b) = self.bindings.pop() else { break };
            if let Some(index) = &mut self.index {
                let (_, probes) = index.insert(b.prefix, b.shadowed);
                self.probe(probes);
            }
        }
        if self.bindings.len() <= INDEX_FROM / 2 {
            self.index = None;
        }
    }

    /// What `prefix` (empty for none) resolves to, or `None` when nothing binds it. An
    /// unprefixed name with no default namespace in scope is in no namespace.
    pub(crate) fn lookup(&self, prefix: &str) -> Option<Resolved<'a>> {
        if prefix == "xml" {
            return Some(Resolved {
                ns: Ns::Other,
                other_uri: Some(Uri::Borrowed(XML_NAMESPACE)),
            });
        }
        let found = match &self.index {
            Some(index) => {
                let (found, probes) = index.get(prefix);
                self.probe(probes);
                found.copied().flatten().and_then(|i| self.bindings.get(i))
            }
            None => {
                let mut found = None;
                for b in self.bindings.iter().rev() {
                    self.probe(1);
                    if b.prefix.as_ref() == prefix {
                        found = Some(b);
                        break;
                    }
                }
                found
            }
        };
        match found {
            Some(b) => Some(Resolved {
                ns: b.ns,
                other_uri: b.other_uri.clone(),
            }),
            None if prefix.is_empty() => Some(Resolved {
                ns: Ns::None,
                other_uri: None,
            }),
            None => None,
        }
    }

    /// Whether `prefix` is bound (the `xml` prefix always is).
    pub(crate) fn is_bound(&self, prefix: &str) -> bool {
        self.lookup(prefix).is_some()
    }

    #[inline(always)]
    fn probe(&self, _n: u64) {
        // Counted in tests only; `&self` here so that lookups stay `&self`.
        #[cfg(test)]
        self.probes.set(self.probes.get() + _n);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn bind<'a>(s: &mut Scopes<'a>, prefix: &'a str, uri: &'a str, depth: usize) {
        s.push(Cow::Borrowed(prefix), Uri::Borrowed(uri), depth);
    }

    fn uri_of(s: &Scopes<'_>, prefix: &str) -> Option<(Ns, Option<String>)> {
        s.lookup(prefix)
            .map(|r| (r.ns, r.other_uri.map(|u| u.as_str().to_owned())))
    }

    #[test]
    fn inner_bindings_shadow_outer_ones_and_leave_with_their_element() {
        // Across the threshold in both directions, the map and the scan answer alike.
        for extra in [0, INDEX_FROM, 3 * INDEX_FROM] {
            let names: Vec<String> = (0..extra).map(|i| format!("q{i}")).collect();
            let mut s = Scopes::default();
            bind(&mut s, "p", "urn:outer", 1);
            bind(
                &mut s,
                "",
                "http://schemas.microsoft.com/exchange/services/2006/types",
                1,
            );
            for n in &names {
                bind(&mut s, n, "urn:q", 1);
            }
            bind(&mut s, "p", "urn:inner", 2);
            bind(&mut s, "", "", 2);
            assert_eq!(
                uri_of(&s, "p"),
                Some((Ns::Other, Some("urn:inner".into()))),
                "{extra}"
            );
            assert_eq!(uri_of(&s, ""), Some((Ns::None, None)), "xmlns=\"\" unbinds");
            assert_eq!(uri_of(&s, "nope"), None);
            s.pop(2);
            assert_eq!(
                uri_of(&s, "p"),
                Some((Ns::Other, Some("urn:outer".into()))),
                "{extra}"
            );
            assert_eq!(uri_of(&s, ""), Some((Ns::Types, None)));
            s.pop(1);
            assert_eq!(uri_of(&s, "p"), None);
            assert_eq!(uri_of(&s, ""), Some((Ns::None, None)));
            assert_eq!(
                uri_of(&s, "xml"),
                Some((Ns::Other, Some(XML_NAMESPACE.into())))
            );
        }
    }

    #[test]
    fn a_lookup_looks_at_a_bounded_number_of_bindings() {
        for bindings in [1_000usize, 30_000] {
            let names: Vec<String> = (0..bindings).map(|i| format!("p{i}")).collect();
            let mut s = Scopes::default();
            for n in &names {
                bind(&mut s, n, "urn:x", 1);
            }
            s.probes.set(0);
            // Every bound prefix and as many unbound ones: the table's seed differs per run, so
            // one key may sit in a longer run of slots; the average over all keys does not move.
            for (i, n) in names.iter().enumerate() {
                assert!(s.is_bound(n));
                assert!(!s.is_bound(&format!("q{i}")));
            }
            // Slots of the map looked at: a few, however many bindings (a scan from the
            // innermost would look at half of them on average, and all for an unbound one).
            let per_lookup = s.probes.get() as f64 / (2 * bindings) as f64;
            assert!(
                per_lookup <= 4.0,
                "{bindings} bindings: {per_lookup} probes per lookup"
            );
        }
    }

    #[test]
    fn a_scope_hovering_at_the_threshold_rebuilds_its_map_rarely() {
        let names: Vec<String> = (0..=INDEX_FROM).map(|i| format!("p{i}")).collect();
        let mut s = Scopes::default();
        for n in &names[..INDEX_FROM] {
            bind(&mut s, n, "urn:x", 1);
        }
        // One element declaring one more prefix, many times: the map is built once and kept.
        for _ in 0..100 {
            bind(&mut s, &names[INDEX_FROM], "urn:y", 2);
            assert!(s.index.is_some());
            s.pop(2);
        }
        assert!(
            s.index.is_some(),
            "the map stays until half the bindings are gone"
        );
        s.pop(1);
        assert!(s.index.is_none());
    }
}
