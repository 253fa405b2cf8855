// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_DETAIL_CRYPTO_HPP
#define GAPI_AUTH_DETAIL_CRYPTO_HPP

// Thin OpenSSL helpers for the OAuth code: no I/O, no state. Private to gapi.

#include <gapi/config.hpp>

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gapi::auth::detail {

struct evp_pkey_deleter {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;

/// The RSA private key in `pem` (PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1 "BEGIN RSA PRIVATE
/// KEY"); null when the text holds no unencrypted RSA private key. Never prompts for a
/// passphrase, and leaves OpenSSL's error queue as it found it.
GAPI_DECL evp_pkey_ptr load_rsa_private_key(std::string_view pem) noexcept;

/// RFC 4648 §5 base64url without padding, as JWT (RFC 7515) and PKCE (RFC 7636) want it.
GAPI_DECL std::string base64url_encode(std::string_view bytes);
/// `base64url_encode(bytes)` appended to `out`.
GAPI_DECL void append_base64url(std::string& out, std::string_view bytes);

/// The inverse of `base64url_encode`; also accepts padding. Nullopt on any other character.
GAPI_DECL std::optional<std::string> base64url_decode(std::string_view text);

/// The SHA-256 digest of `data`, 32 raw bytes.
GAPI_DECL std::string sha256(std::string_view data);

/// Fills `out` from OpenSSL's CSPRNG; throws std::runtime_error if it cannot
/// (an unseeded generator must never yield a guessable PKCE verifier or state).
GAPI_DECL void random_bytes(std::span<unsigned char> out);

/// `length` characters drawn uniformly from `alphabet` (at most 256 characters).
GAPI_DECL std::string random_string(std::size_t length, std::string_view alphabet);

} // namespace gapi::auth::detail

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/detail/impl/crypto.ipp>
#endif

#endif
