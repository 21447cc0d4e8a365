//! Extended Protection: the `MsvAvChannelBindings` value that binds an NTLM authentication to
//! the TLS connection it ran over ([MS-NLMP] section 2.2.2.1, RFC 5929 section 4).
//!
//! The value is the MD5 of a flattened `gss_channel_bindings_struct` (RFC 2744 section 3.11)
//! whose initiator and acceptor addresses are empty and whose application data is
//! `"tls-server-end-point:"` followed by the hash of the server's certificate. The hash is the
//! one of the certificate's signature algorithm, with MD5 and SHA-1 replaced by SHA-256.

use ring::digest;

use super::crypto::{Key, md5};

/// The prefix of the application data, RFC 5929 section 4 (no trailing NUL).
const END_POINT_PREFIX: &[u8] = b"tls-server-end-point:";

/// DER tag of a SEQUENCE.
const SEQUENCE: u8 = 0x30;
/// DER tag of an OBJECT IDENTIFIER.
const OID: u8 = 0x06;

/// `1.2.840.113549.1.1` (PKCS #1): the RSA signature algorithms, numbered by their last arc.
const PKCS1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
/// `1.2.840.10045.4`: the ECDSA signature algorithms.
const ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04];

/// Why no channel bindings can be computed for a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertificateError {
    /// The bytes are no DER `Certificate` (RFC 5280 section 4.1) as far as the walk goes.
    NotACertificate,
    /// The signature algorithm is not one of sha256/384/512 (or MD5, SHA-1) with RSA or ECDSA.
    UnsupportedAlgorithm,
}

impl std::fmt::Display for CertificateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotACertificate => "channel binding certificate is not a DER certificate",
            Self::UnsupportedAlgorithm => {
                "channel binding certificate's signature algorithm is not RSA or ECDSA with SHA-1/2"
            }
        })
    }
}

/// The `MsvAvChannelBindings` a client must send to a server presenting `certificate` (DER).
///
/// # Errors
/// [`CertificateError`] when the DER cannot be walked to its signature algorithm, or the
/// algorithm's hash is not one RFC 5929 lets us pick.
pub(crate) fn expected_bindings(certificate: &[u8]) -> Result<Key, CertificateError> {
    let mut data = END_POINT_PREFIX.to_vec();
    data.extend_from_slice(&end_point_hash(certificate)?);
    Ok(bindings_hash(&data))
}

/// MD5 of the flattened `gss_channel_bindings_struct`: initiator address type and length,
/// acceptor address type and length (all 0, as Schannel sets them), then the application
/// data's length and the data, every number a little-endian u32.
pub(crate) fn bindings_hash(application_data: &[u8]) -> Key {
    let mut flat = vec![0u8; 16];
    let len = u32::try_from(application_data.len()).unwrap_or(u32::MAX);
    flat.extend_from_slice(&len.to_le_bytes());
    flat.extend_from_slice(application_data);
    md5(&flat)
}

/// The certificate hash of RFC 5929 section 4.1.
fn end_point_hash(certificate: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let oid = signature_algorithm(certificate).ok_or(CertificateError::NotACertificate)?;
    let algorithm = hash_of(oid).ok_or(CertificateError::UnsupportedAlgorithm)?;
    Ok(digest::digest(algorithm, certificate).as_ref().to_vec())
}

/// The hash RFC 5929 takes for a signature algorithm OID (its content bytes).
fn hash_of(oid: &[u8]) -> Option<&'static digest::Algorithm> {
    if let Some(arc) = oid.strip_prefix(PKCS1) {
        return match arc {
            // md5WithRSAEncryption and sha1WithRSAEncryption: SHA-256 instead.
            [0x04] | [0x05] | [0x0b] => Some(&digest::SHA256),
            [0x0c] => Some(&digest::SHA384),
            [0x0d] => Some(&digest::SHA512),
            _ => None,
        };
    }
    match oid.strip_prefix(ECDSA)? {
        // ecdsa-with-SHA1: SHA-256 instead.
        [0x01] | [0x03, 0x02] => Some(&digest::SHA256),
        [0x03, 0x03] => Some(&digest::SHA384),
        [0x03, 0x04] => Some(&digest::SHA512),
        _ => None,
    }
}

/// The OID of `Certificate.signatureAlgorithm.algorithm`: the outer SEQUENCE, past
/// `tbsCertificate`, into the `AlgorithmIdentifier` SEQUENCE.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = element(der, SEQUENCE)?;
    let (_tbs, rest) = element(certificate, SEQUENCE)?;
    let (algorithm, _) = element(rest, SEQUENCE)?;
    let (oid, _) = element(algorithm, OID)?;
    Some(oid)
}

/// One DER element with tag `tag` at the start of `input`: its content and what follows it.
/// `None` for another tag, an indefinite or over-long length, or content past the end.
fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&got, rest) = input.split_first()?;
    if got != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length bytes (0 is BER's indefinite form).
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = (rest.get(..count)?, rest.get(count..)?);
        let len = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (len, rest)
    };
    Some((rest.get(..len)?, rest.get(len..)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn element_refuses_lengths_past_the_end() {
        assert_eq!(element(&[0x30, 0x02, 0x01], SEQUENCE), None);
        assert_eq!(element(&[0x30, 0x80, 0x00, 0x00], SEQUENCE), None);
        assert_eq!(element(&[0x30, 0x85, 1, 1, 1, 1, 1], SEQUENCE), None);
        assert_eq!(element(&[0x31, 0x00], SEQUENCE), None);
        let (content, rest) = element(&[0x30, 0x81, 0x01, 0xaa, 0xbb], SEQUENCE).unwrap();
        assert_eq!((content, rest), (&[0xaa][..], &[0xbb][..]));
    }

    #[test]
    fn hash_follows_rfc_5929_for_each_signature_algorithm() {
        let pkcs1 = |arc: u8| [PKCS1, &[arc]].concat();
        let ecdsa = |arcs: &[u8]| [ECDSA, arcs].concat();
        let name = |oid: &[u8]| hash_of(oid).map(|a| a.output_len());
        assert_eq!(name(&pkcs1(0x04)), Some(32), "MD5 is replaced by SHA-256");
        assert_eq!(name(&pkcs1(0x05)), Some(32), "SHA-1 is replaced by SHA-256");
        assert_eq!(name(&pkcs1(0x0b)), Some(32));
        assert_eq!(name(&pkcs1(0x0c)), Some(48));
        assert_eq!(name(&pkcs1(0x0d)), Some(64));
        assert_eq!(
            name(&pkcs1(0x0a)),
            None,
            "RSASSA-PSS keeps its hash in parameters"
        );
        assert_eq!(name(&ecdsa(&[0x01])), Some(32));
        assert_eq!(name(&ecdsa(&[0x03, 0x02])), Some(32));
        assert_eq!(name(&ecdsa(&[0x03, 0x03])), Some(48));
        assert_eq!(name(&ecdsa(&[0x03, 0x04])), Some(64));
        assert_eq!(
            name(&[0x2b, 0x65, 0x70]),
            None,
            "Ed25519 has no hash of its own"
        );
    }

    #[test]
    fn a_certificate_made_with_rcgen_binds_with_sha256() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        // rcgen signs with ECDSA P-256 and SHA-256 by default.
        assert_eq!(
            signature_algorithm(&der),
            Some(&[ECDSA, &[0x03, 0x02]].concat()[..])
        );
        let mut data = END_POINT_PREFIX.to_vec();
        data.extend_from_slice(digest::digest(&digest::SHA256, &der).as_ref());
        assert_eq!(expected_bindings(&der), Ok(bindings_hash(&data)));
        assert_eq!(
            expected_bindings(&der[..der.len() - 1]),
            Err(CertificateError::NotACertificate)
        );
    }
}
