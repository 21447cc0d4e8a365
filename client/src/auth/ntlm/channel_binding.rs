//! Channel bindings for Extended Protection: the `MsvAvChannelBindings` value that ties an
//! NTLM authentication to the TLS connection it runs on, so that a man in the middle who
//! terminates TLS cannot relay it. Exchange 2019 CU14 and later require it by default.
//!
//! The value is the MD5 of a `gss_channel_bindings_struct` (RFC 2744) with no addresses and
//! the `tls-server-end-point` binding of RFC 5929 as application data: the hash of the
//! server's certificate, made with the hash of the certificate's signature algorithm (MD5
//! and SHA-1 replaced by SHA-256).

use md5::{Digest, Md5};
use ring::digest;

/// `MsvAvChannelBindings` for a TLS connection whose server presented `certificate` (DER).
pub(crate) fn tls_server_end_point(certificate: &[u8]) -> [u8; 16] {
    let algorithm = match signature_algorithm(certificate) {
        Some(oid) if oid.ends_with(&[0x01, 0x01, 0x0C]) || oid == ECDSA_SHA384 => &digest::SHA384,
        Some(oid) if oid.ends_with(&[0x01, 0x01, 0x0D]) || oid == ECDSA_SHA512 => &digest::SHA512,
        // SHA-256 signatures, and the RFC's rule for MD5, SHA-1 and anything else.
        _ => &digest::SHA256,
    };
    let mut data = b"tls-server-end-point:".to_vec();
    data.extend_from_slice(digest::digest(algorithm, certificate).as_ref());
    bindings_hash(&data)
}

/// The MD5 of a `gss_channel_bindings_struct` with empty addresses and `application_data`.
pub(crate) fn bindings_hash(application_data: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    // initiator_addrtype, initiator_address.length, acceptor_addrtype, acceptor_address.length
    h.update([0u8; 16]);
    h.update((application_data.len() as u32).to_le_bytes());
    h.update(application_data);
    h.finalize().into()
}

/// ecdsa-with-SHA384 and ecdsa-with-SHA512 (1.2.840.10045.4.3.3 / .4), DER content bytes.
const ECDSA_SHA384: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
const ECDSA_SHA512: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04];
/// The RSA PKCS#1 arc (1.2.840.113549.1.1), whose .12 and .13 are sha384/sha512WithRSA.
const PKCS1: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01];

/// The OID of `Certificate.signatureAlgorithm` (content bytes), read by a DER walk:
/// `SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, ... }, ... }`.
/// `None` for anything that is not such a certificate. An RSA OID outside PKCS#1 is also
/// `None`, so that only `PKCS1 ‖ 0C/0D` selects SHA-384/512.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = element(der, 0x30)?;
    let (_, rest) = element(certificate, 0x30)?; // tbsCertificate
    let (algorithm, _) = element(rest, 0x30)?;
    let (oid, _) = element(algorithm, 0x06)?;
    let pkcs1 = oid.len() == PKCS1.len() + 1 && oid.starts_with(PKCS1);
    (pkcs1 || oid == ECDSA_SHA384 || oid == ECDSA_SHA512).then_some(oid)
}

/// One DER element of type `tag` at the start of `b`: (its content, what follows).
fn element(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let first = *b.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let len = b
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((b.get(header..end)?, b.get(end..)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::auth::ntlm::test_hex::hex;

    #[test]
    fn bindings_hash_matches_microsofts_example() {
        // Microsoft's open-specifications example of NTLM channel bindings: the application
        // data is `tls-server-end-point:` and a SHA-256 certificate hash.
        let mut data = b"tls-server-end-point:".to_vec();
        data.extend_from_slice(&hex(
            "ea05fefecc6b0bd571dbbc5baa3ed45386d0446835f7b74c85621b9983475f95",
        ));
        assert_eq!(
            bindings_hash(&data).to_vec(),
            hex("6586e99d81c2fc984e47172fd4dd0310")
        );
    }

    /// A minimal certificate-shaped DER: SEQUENCE { SEQUENCE {}, SEQUENCE { OID }, BIT STRING }.
    fn certificate(oid: &[u8]) -> Vec<u8> {
        let mut alg = vec![0x06, oid.len() as u8];
        alg.extend_from_slice(oid);
        let mut body = vec![0x30, 0x00, 0x30, alg.len() as u8];
        body.extend_from_slice(&alg);
        body.extend_from_slice(&[0x03, 0x01, 0x00]);
        let mut der = vec![0x30, body.len() as u8];
        der.extend_from_slice(&body);
        der
    }

    fn expected(alg: &'static digest::Algorithm, der: &[u8]) -> [u8; 16] {
        let mut data = b"tls-server-end-point:".to_vec();
        data.extend_from_slice(digest::digest(alg, der).as_ref());
        bindings_hash(&data)
    }

    #[test]
    fn the_certificate_hash_follows_its_signature_algorithm() {
        let mut sha384_rsa = PKCS1.to_vec();
        sha384_rsa.push(0x0C);
        let mut sha512_rsa = PKCS1.to_vec();
        sha512_rsa.push(0x0D);
        let mut sha256_rsa = PKCS1.to_vec();
        sha256_rsa.push(0x0B);
        let mut sha1_rsa = PKCS1.to_vec();
        sha1_rsa.push(0x05);
        for (oid, alg) in [
            (sha384_rsa.as_slice(), &digest::SHA384),
            (sha512_rsa.as_slice(), &digest::SHA512),
            (ECDSA_SHA384, &digest::SHA384),
            (ECDSA_SHA512, &digest::SHA512),
            (sha256_rsa.as_slice(), &digest::SHA256),
            (sha1_rsa.as_slice(), &digest::SHA256),
        ] {
            let der = certificate(oid);
            assert_eq!(
                tls_server_end_point(&der),
                expected(alg, &der),
                "{oid:02x?}"
            );
        }
    }

    #[test]
    fn long_lengths_and_garbage_are_read_without_panic() {
        // A long-form length (0x81 nn) is followed.
        let mut der = certificate(ECDSA_SHA384);
        let body = der.split_off(2);
        let mut long = vec![0x30, 0x81, body.len() as u8];
        long.extend_from_slice(&body);
        assert_eq!(signature_algorithm(&long), Some(ECDSA_SHA384));
        // Every truncation and a few random shapes: a hash comes out, nothing panics.
        for n in 0..long.len() {
            let _ = tls_server_end_point(&long[..n]);
        }
        assert_eq!(signature_algorithm(&[0x30, 0x85, 1, 2, 3, 4, 5]), None);
        assert_eq!(
            signature_algorithm(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
            None
        );
    }
}
