// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_IMPL_CERTIFICATE_AUTHORITY_IPP
#define GAPI_EMULATOR_IMPL_CERTIFICATE_AUTHORITY_IPP

#include <gapi/emulator/certificate_authority.hpp>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstring> // EVP_EC_gen expands to a strstr call
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

namespace gapi::emulator {
// Nested so these generic-sounding helpers cannot collide with other emulator code
// that also lives in gapi::emulator::detail.
namespace detail::certgen {

template <auto free_fn>
struct openssl_deleter {
    template <class T>
    void operator()(T* p) const noexcept {
        free_fn(p);
    }
};

using bio_ptr = std::unique_ptr<BIO, openssl_deleter<&BIO_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<&BN_free>>;
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<&EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<&X509_free>>;
using x509_extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<&X509_EXTENSION_free>>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, openssl_deleter<&GENERAL_NAME_free>>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, openssl_deleter<&GENERAL_NAMES_free>>;
using asn1_string_ptr = std::unique_ptr<ASN1_STRING, openssl_deleter<&ASN1_STRING_free>>;

// Drains the whole error queue, not just the first entry: the first entry is often
// a generic wrapper while the useful cause is further down, and leaving entries
// behind would make a later, unrelated OpenSSL call in the same thread report them.
[[noreturn]] GAPI_DECL void throw_openssl_error(char const* call) {
    std::string message = "gapi::emulator::certificate_authority: ";
    message += call;
    message += " failed: ";
    bool first = true;
    while (unsigned long const code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!first)
            message += "; ";
        message += buffer;
        first = false;
    }
    if (first)
        message += "no OpenSSL error reported";
    throw std::runtime_error(message);
}

GAPI_DECL evp_pkey_ptr generate_p256_key() {
    // P-256 rather than RSA: key generation is effectively instantaneous, which
    // matters when every test run mints fresh keys, and every TLS stack accepts it.
    evp_pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key)
        throw_openssl_error("EVP_EC_gen");
    return key;
}

GAPI_DECL std::string to_pem(X509* cert) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        throw_openssl_error("BIO_new");
    if (PEM_write_bio_X509(bio.get(), cert) != 1)
        throw_openssl_error("PEM_write_bio_X509");
    char* data = nullptr;
    long const size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

GAPI_DECL std::string to_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        throw_openssl_error("BIO_new");
    // PEM_write_bio_PrivateKey emits PKCS#8 ("BEGIN PRIVATE KEY"), which every
    // consumer understands regardless of key type.
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_openssl_error("PEM_write_bio_PrivateKey");
    char* data = nullptr;
    long const size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

GAPI_DECL bio_ptr read_only_bio(std::string const& pem) {
    if (pem.size() > static_cast<std::size_t>(INT_MAX))
        throw std::runtime_error("gapi::emulator::certificate_authority: PEM too large");
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        throw_openssl_error("BIO_new_mem_buf");
    return bio;
}

GAPI_DECL x509_ptr certificate_from_pem(std::string const& pem) {
    bio_ptr bio = read_only_bio(pem);
    x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        throw_openssl_error("PEM_read_bio_X509");
    return cert;
}

GAPI_DECL evp_pkey_ptr private_key_from_pem(std::string const& pem) {
    bio_ptr bio = read_only_bio(pem);
    evp_pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        throw_openssl_error("PEM_read_bio_PrivateKey");
    return key;
}

GAPI_DECL void check_valid_days(int valid_days) {
    if (valid_days <= 0)
        throw std::invalid_argument("gapi::emulator::certificate_authority: valid_days must be positive");
}

// Fills in everything a certificate needs apart from its extensions and signature.
GAPI_DECL x509_ptr new_certificate(EVP_PKEY* subject_key, std::string_view common_name,
                                      X509_NAME const* issuer_name, int valid_days) {
    x509_ptr cert(X509_new());
    if (!cert)
        throw_openssl_error("X509_new");
    // Extensions require v3; without this OpenSSL would encode a v1 certificate.
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1)
        throw_openssl_error("X509_set_version");

    // Random serials keep certificates from separate runs (and separate CAs with
    // the same name) distinguishable to caches. Forcing the top bit makes the serial
    // never zero and always the same length, leaving 127 random bits, far above the
    // 64 the CA/Browser Forum asks for.
    bignum_ptr serial(BN_new());
    if (!serial)
        throw_openssl_error("BN_new");
    if (BN_rand(serial.get(), 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1)
        throw_openssl_error("BN_rand");
    if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        throw_openssl_error("BN_to_ASN1_INTEGER");

    // One time sample so notAfter - notBefore is exactly valid_days days; backdating
    // by an hour tolerates clock skew between the emulator and its clients.
    std::time_t now = std::time(nullptr); // non-const only because OpenSSL takes time_t*
    if (!X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -3600, &now))
        throw_openssl_error("X509_time_adj_ex");
    if (!X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, -3600, &now))
        throw_openssl_error("X509_time_adj_ex");

    X509_NAME* subject = X509_get_subject_name(cert.get());
    if (!common_name.empty()
        && X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<unsigned char const*>(common_name.data()),
                                      static_cast<int>(common_name.size()), -1, 0)
               != 1)
        throw_openssl_error("X509_NAME_add_entry_by_txt");
    // X509_set_issuer_name copies, so a self-signed certificate can pass its own
    // subject name here.
    if (X509_set_issuer_name(cert.get(), issuer_name ? issuer_name : subject) != 1)
        throw_openssl_error("X509_set_issuer_name");

    if (X509_set_pubkey(cert.get(), subject_key) != 1)
        throw_openssl_error("X509_set_pubkey");
    return cert;
}

// The issuer context is what lets "hash" and "keyid" values be computed from the
// subject's public key and the issuer's subjectKeyIdentifier respectively.
GAPI_DECL void add_extension(X509* cert, X509* issuer, int nid, char const* value) {
    X509V3_CTX ctx{};
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    x509_extension_ptr extension(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
    if (!extension)
        throw_openssl_error("X509V3_EXT_nconf_nid");
    // X509_add_ext stores a copy, so our handle still has to be freed.
    if (X509_add_ext(cert, extension.get(), -1) != 1)
        throw_openssl_error("X509_add_ext");
}

GAPI_DECL void push_general_name(GENERAL_NAMES* names, int type, asn1_string_ptr value) {
    general_name_ptr name(GENERAL_NAME_new());
    if (!name)
        throw_openssl_error("GENERAL_NAME_new");
    GENERAL_NAME_set0_value(name.get(), type, value.release());
    if (sk_GENERAL_NAME_push(names, name.get()) == 0)
        throw_openssl_error("sk_GENERAL_NAME_push");
    name.release();
}

// Built from GENERAL_NAME objects rather than an OpenSSL config string
// ("DNS:a,IP:b") so that caller-supplied names cannot inject extra entries
// through commas, and so a bad IP is reported as std::invalid_argument.
GAPI_DECL void add_subject_alt_name(X509* cert, std::vector<std::string> const& dns_names,
                                    std::vector<std::string> const& ip_addresses, bool critical) {
    general_names_ptr names(sk_GENERAL_NAME_new_null());
    if (!names)
        throw_openssl_error("sk_GENERAL_NAME_new_null");

    for (std::string const& dns_name : dns_names) {
        asn1_string_ptr value(ASN1_IA5STRING_new());
        if (!value)
            throw_openssl_error("ASN1_IA5STRING_new");
        if (ASN1_STRING_set(value.get(), dns_name.data(), static_cast<int>(dns_name.size())) != 1)
            throw_openssl_error("ASN1_STRING_set");
        push_general_name(names.get(), GEN_DNS, std::move(value));
    }

    for (std::string const& ip_address : ip_addresses) {
        asn1_string_ptr value(a2i_IPADDRESS(ip_address.c_str()));
        if (!value) {
            // a2i_IPADDRESS may queue errors for unparsable input; they belong to
            // the caller's mistake, not to whatever OpenSSL call comes next.
            ERR_clear_error();
            throw std::invalid_argument("gapi::emulator::certificate_authority: not an IP address: "
                                        + ip_address);
        }
        push_general_name(names.get(), GEN_IPADD, std::move(value));
    }

    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0, X509V3_ADD_DEFAULT)
        != 1)
        throw_openssl_error("X509_add1_ext_i2d");
}

GAPI_DECL void sign(X509* cert, EVP_PKEY* issuer_key) {
    // X509_sign returns the signature length, so only 0 signals failure.
    if (X509_sign(cert, issuer_key, EVP_sha256()) == 0)
        throw_openssl_error("X509_sign");
}

// SAN entries are IA5String and hostnames in certificates are A-labels, so
// anything outside printable ASCII is a caller error that would otherwise yield a
// certificate no client can match.
GAPI_DECL void check_dns_name(std::string const& dns_name) {
    // 253 is the longest name DNS can carry in text form.
    bool valid = !dns_name.empty() && dns_name.size() <= 253;
    for (char const c : dns_name)
        valid = valid && c > ' ' && c < '\x7f';
    if (!valid)
        throw std::invalid_argument("gapi::emulator::certificate_authority: invalid DNS name: \"" + dns_name
                                    + "\"");
}

} // namespace detail::certgen

GAPI_DECL certificate_authority::certificate_authority(std::string certificate_pem, std::string private_key_pem)
    : certificate_pem_(std::move(certificate_pem)), private_key_pem_(std::move(private_key_pem)) {}

GAPI_DECL certificate_authority certificate_authority::generate(std::string_view common_name, int valid_days) {
    namespace certgen = detail::certgen;
    // RFC 5280 requires a non-empty issuer name, and for a self-signed CA the
    // common name is the whole of it.
    if (common_name.empty())
        throw std::invalid_argument("gapi::emulator::certificate_authority: CA common name must not be empty");
    if (common_name.size() > ub_common_name)
        throw std::invalid_argument("gapi::emulator::certificate_authority: CA common name longer than 64 bytes");
    certgen::check_valid_days(valid_days);

    certgen::evp_pkey_ptr key = certgen::generate_p256_key();
    certgen::x509_ptr cert = certgen::new_certificate(key.get(), common_name, nullptr, valid_days);

    // Self-signed, so the certificate is its own issuer for extension context.
    certgen::add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    certgen::add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    // Needed so issued certificates can carry an authorityKeyIdentifier, which
    // strict verifiers (e.g. X509_V_FLAG_X509_STRICT, Python 3.13+) insist on.
    certgen::add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    certgen::sign(cert.get(), key.get());

    return certificate_authority(certgen::to_pem(cert.get()), certgen::to_pem(key.get()));
}

GAPI_DECL certificate_and_key certificate_authority::issue_server_certificate(
    std::vector<std::string> const& dns_names, std::vector<std::string> const& ip_addresses,
    int valid_days) const {
    namespace certgen = detail::certgen;
    if (dns_names.empty() && ip_addresses.empty())
        throw std::invalid_argument(
            "gapi::emulator::certificate_authority: a server certificate needs at least one DNS name or IP "
            "address");
    for (std::string const& dns_name : dns_names)
        certgen::check_dns_name(dns_name);
    certgen::check_valid_days(valid_days);

    certgen::x509_ptr ca_cert = certgen::certificate_from_pem(certificate_pem_);
    certgen::evp_pkey_ptr ca_key = certgen::private_key_from_pem(private_key_pem_);
    certgen::evp_pkey_ptr key = certgen::generate_p256_key();

    // Clients match names against the SAN (the CN fallback is obsolete); the CN makes the
    // certificate readable in logs. A name too long for the CN attribute is left
    // out, and RFC 5280 then requires the SAN to be critical.
    std::string_view common_name = dns_names.empty() ? ip_addresses.front() : dns_names.front();
    if (common_name.size() > ub_common_name)
        common_name = {};
    bool const subject_is_empty = common_name.empty();

    certgen::x509_ptr cert
        = certgen::new_certificate(key.get(), common_name, X509_get_subject_name(ca_cert.get()), valid_days);

    certgen::add_subject_alt_name(cert.get(), dns_names, ip_addresses, subject_is_empty);
    certgen::add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    certgen::add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
    certgen::add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
    certgen::add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
    // "always" makes a CA without a subjectKeyIdentifier an error here instead of
    // silently producing a certificate strict verifiers reject.
    certgen::add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
    certgen::sign(cert.get(), ca_key.get());

    return certificate_and_key{certgen::to_pem(cert.get()), certgen::to_pem(key.get())};
}

GAPI_DECL void certificate_authority::write_certificate_pem(std::string const& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error("gapi::emulator::certificate_authority: cannot open " + path + " for writing");
    out.write(certificate_pem_.data(), static_cast<std::streamsize>(certificate_pem_.size()));
    out.close();
    if (!out)
        throw std::runtime_error("gapi::emulator::certificate_authority: cannot write " + path);
}

} // namespace gapi::emulator

#endif
