// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_CERTIFICATE_AUTHORITY_HPP
#define GAPI_EMULATOR_CERTIFICATE_AUTHORITY_HPP

#include <gapi/config.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace gapi::emulator {

/// A certificate and its private key, both PEM.
struct certificate_and_key {
    std::string certificate_pem; ///< the leaf certificate
    std::string private_key_pem; ///< its key: PKCS\#8 PEM, unencrypted
};

/// A throw-away certificate authority for tests and the local Google emulator.
/// Certificates are minted at run time so no key material is ever checked in and
/// nothing expires between a test's build and its run. Not meant for production.
class certificate_authority {
public:
    /// A fresh self-signed CA: EC P-256 key, basicConstraints critical `CA:TRUE`,
    /// keyUsage `keyCertSign|cRLSign`, subjectKeyIdentifier; valid from one hour ago
    /// (to tolerate clock skew between processes) for `valid_days` days; random
    /// 128-bit serial. Throws std::invalid_argument for an empty common name, one longer
    /// than 64 bytes, or `valid_days` <= 0; std::runtime_error when OpenSSL fails.
    GAPI_DECL static certificate_authority generate(std::string_view common_name = "gapi emulator CA",
                                                    int valid_days = 30);

    /// The CA's certificate (PEM): what clients trust.
    const std::string& certificate_pem() const noexcept { return certificate_pem_; }
    /// The CA's private key (PKCS\#8 PEM, unencrypted).
    const std::string& private_key_pem() const noexcept { return private_key_pem_; }

    /// A server certificate signed by this CA: EC P-256 key, subjectAltName with the
    /// given DNS names and IP addresses (IPv4 or IPv6 text), extendedKeyUsage
    /// serverAuth, basicConstraints `CA:FALSE`, keyUsage digitalSignature,
    /// subject/authorityKeyIdentifier; CN = first DNS name (or first IP).
    /// Throws std::invalid_argument when both lists are empty, a DNS name is empty
    /// or not printable ASCII (pass IDNs as A-labels), an IP does not parse, or
    /// `valid_days` <= 0; std::runtime_error when OpenSSL fails.
    GAPI_DECL certificate_and_key issue_server_certificate(std::vector<std::string> const& dns_names,
                                                           std::vector<std::string> const& ip_addresses,
                                                           int valid_days = 30) const;

    /// Writes the CA certificate PEM to a file (for clients' `--ca-file`), replacing it.
    /// Throws std::runtime_error when the file cannot be written.
    GAPI_DECL void write_certificate_pem(std::string const& path) const;

private:
    GAPI_DECL certificate_authority(std::string certificate_pem, std::string private_key_pem);

    // Kept as PEM rather than as OpenSSL handles so the class is trivially
    // copyable/movable and this header does not drag in OpenSSL's.
    std::string certificate_pem_;
    std::string private_key_pem_;
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/certificate_authority.ipp>
#endif

#endif
