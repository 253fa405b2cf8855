// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_DETAIL_IMPL_CRYPTO_IPP
#define GAPI_AUTH_DETAIL_IMPL_CRYPTO_IPP

#include <gapi/auth/detail/crypto.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace gapi::auth::detail {

// Refuses every passphrase request: OpenSSL's default would prompt on the terminal,
// which a library must never do. An encrypted key therefore fails to load.
inline int refuse_passphrase(char*, int, int, void*) {
    return -1;
}

struct bio_deleter {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

GAPI_DECL evp_pkey_ptr load_rsa_private_key(std::string_view pem) noexcept {
    if (pem.empty() || pem.size() > INT_MAX)
        return nullptr;
    // A failed parse queues OpenSSL errors; they belong to nobody else's TLS calls.
    ERR_set_mark();
    std::unique_ptr<BIO, bio_deleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    evp_pkey_ptr key;
    if (bio)
        key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_passphrase, nullptr));
    ERR_pop_to_mark();
    // RS256 needs a plain RSA key; an RSA-PSS or EC key cannot sign it.
    if (key && EVP_PKEY_is_a(key.get(), "RSA") != 1)
        key.reset();
    return key;
}

namespace base64url {

inline constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each 12-bit value's two characters: a group of three bytes is two lookups, not four
// (a send's body is encoded whole; four lookups a group cost it ~2k instructions).
struct pair_table {
    char pairs[4096][2];
    constexpr pair_table() : pairs{} {
        for (unsigned n = 0; n < 4096; ++n) {
            pairs[n][0] = alphabet[n >> 6];
            pairs[n][1] = alphabet[n & 63];
        }
    }
};
inline constexpr pair_table pairs{};

} // namespace base64url

GAPI_DECL void append_base64url(std::string& out, std::string_view bytes) {
    using base64url::alphabet;
    auto const& pairs = base64url::pairs.pairs;
    auto const whole = bytes.size() / 3;
    auto const rest = bytes.size() % 3;
    auto const at = out.size();
    // Written in place, one pass: a message to send is encoded once, into its body.
    out.resize(at + whole * 4 + (rest == 0 ? 0 : rest + 1));
    auto const* in = reinterpret_cast<unsigned char const*>(bytes.data());
    char* to = out.data() + at;
    for (std::size_t i = 0; i < whole; ++i, in += 3, to += 4) {
        std::uint32_t const n = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
        std::memcpy(to, pairs[n >> 12], 2);
        std::memcpy(to + 2, pairs[n & 4095], 2);
    }
    if (rest != 0) {
        std::uint32_t const n = (std::uint32_t{in[0]} << 16) | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0);
        to[0] = alphabet[n >> 18];
        to[1] = alphabet[(n >> 12) & 63];
        if (rest == 2)
            to[2] = alphabet[(n >> 6) & 63];
    }
}

GAPI_DECL std::string base64url_encode(std::string_view bytes) {
    std::string out;
    append_base64url(out, bytes);
    return out;
}

GAPI_DECL std::optional<std::string> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1 || text.size() > INT_MAX / 2)
        return std::nullopt;
    std::string standard;
    standard.reserve(text.size() + 3);
    for (char c : text) {
        if (c == '-')
            standard += '+';
        else if (c == '_')
            standard += '/';
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            standard += c;
        else
            return std::nullopt; // includes '+' and '/': they are not base64url
    }
    std::size_t const padding = (4 - standard.size() % 4) % 4;
    standard.append(padding, '=');
    std::string out(standard.size() / 4 * 3, '\0');
    int const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<unsigned char const*>(standard.data()),
                                  static_cast<int>(standard.size()));
    if (n < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts the bytes that the padding stands for.
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

GAPI_DECL std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not compute SHA-256");
    return std::string(reinterpret_cast<char const*>(digest.data()), length);
}

GAPI_DECL void random_bytes(std::span<unsigned char> out) {
    constexpr std::size_t chunk = 1 << 16;
    for (std::size_t at = 0; at < out.size(); at += chunk) {
        auto const n = std::min(chunk, out.size() - at);
        if (RAND_bytes(out.data() + at, static_cast<int>(n)) != 1)
            throw std::runtime_error("OpenSSL's random generator failed");
    }
}

GAPI_DECL std::string random_string(std::size_t length, std::string_view alphabet) {
    if (alphabet.empty() || alphabet.size() > 256)
        throw std::invalid_argument("random_string: the alphabet needs 1 to 256 characters");
    // Rejection sampling: bytes at or above the largest multiple of the alphabet size
    // are drawn again, so that every character is equally likely.
    std::size_t const limit = 256 - 256 % alphabet.size();
    std::string out;
    out.reserve(length);
    std::array<unsigned char, 64> pool{};
    while (out.size() < length) {
        random_bytes(pool);
        for (unsigned char b : pool) {
            if (b >= limit)
                continue;
            out += alphabet[b % alphabet.size()];
            if (out.size() == length)
                break;
        }
    }
    return out;
}

} // namespace gapi::auth::detail

#endif
