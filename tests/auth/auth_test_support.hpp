// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_AUTH_AUTH_TEST_SUPPORT_HPP
#define GAPI_TESTS_AUTH_AUTH_TEST_SUPPORT_HPP

// Keys made with OpenSSL at run time (no key material lives in the repository), a
// scratch directory, and a helper that captures a credentials_error's message.

#include <gapi/auth/credential_files.hpp>

#include <boost/test/unit_test.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "../support/run.hpp"

namespace gapi_test {

struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

template <class Write>
std::string pem_of(Write write) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        throw std::runtime_error("cannot write PEM");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

struct rsa_test_key {
    pkey_ptr key;
    std::string pkcs8_pem;     // -----BEGIN PRIVATE KEY-----, as Google issues them
    std::string pkcs1_pem;     // -----BEGIN RSA PRIVATE KEY-----, as google-auth's test key
    std::string encrypted_pem; // -----BEGIN ENCRYPTED PRIVATE KEY-----
    std::string public_pem;
};

// One 2048-bit key for the whole run: generating one takes a noticeable fraction of a second.
inline rsa_test_key const& rsa_key() {
    static rsa_test_key const k = [] {
        rsa_test_key k;
        k.key.reset(EVP_RSA_gen(2048));
        if (!k.key)
            throw std::runtime_error("cannot generate an RSA key");
        EVP_PKEY* p = k.key.get();
        k.pkcs8_pem = pem_of(
            [p](BIO* b) { return PEM_write_bio_PrivateKey(b, p, nullptr, nullptr, 0, nullptr, nullptr); });
        k.pkcs1_pem = pem_of([p](BIO* b) {
            return PEM_write_bio_PrivateKey_traditional(b, p, nullptr, nullptr, 0, nullptr, nullptr);
        });
        k.encrypted_pem = pem_of([p](BIO* b) {
            char pass[] = "passphrase";
            return PEM_write_bio_PKCS8PrivateKey(b, p, EVP_aes_256_cbc(), pass, 10, nullptr, nullptr);
        });
        k.public_pem = pem_of([p](BIO* b) { return PEM_write_bio_PUBKEY(b, p); });
        return k;
    }();
    return k;
}

inline std::string ec_key_pem() {
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key)
        throw std::runtime_error("cannot generate an EC key");
    EVP_PKEY* p = key.get();
    return pem_of(
        [p](BIO* b) { return PEM_write_bio_PrivateKey(b, p, nullptr, nullptr, 0, nullptr, nullptr); });
}

// The message of the credentials_error that `f` throws; checks its code on the way.
template <class F>
std::string credentials_error_of(F&& f) {
    try {
        f();
    } catch (gapi::auth::credentials_error const& e) {
        BOOST_TEST((e.code() == gapi::error::invalid_credentials));
        return e.what();
    }
    BOOST_ERROR("no credentials_error was thrown");
    return {};
}

} // namespace gapi_test

#endif
