// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_AUTH_CREDENTIAL_FILES_HPP
#define GAPI_AUTH_CREDENTIAL_FILES_HPP

#include <gapi/auth/token.hpp>
#include <gapi/config.hpp>
#include <gapi/error.hpp>

#include <boost/json/object.hpp>
#include <boost/system/system_error.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gapi::auth {

/// A user's refresh token and its OAuth client: the token.json that Python google-auth
/// writes (`Credentials.to_json()`), or gcloud's application-default file
/// (`"type": "authorized_user"`).
struct authorized_user_info {
    std::string client_id;     ///< the OAuth client's id
    std::string client_secret; ///< the OAuth client's secret; may be empty (a public client)
    std::string refresh_token; ///< the long-lived grant that new access tokens are obtained with; a secret
    /// The file's own token_uri is honoured (google-auth ignores it) so that a file can
    /// point at the emulator.
    std::string token_uri = "https://oauth2.googleapis.com/token";
    std::vector<std::string> scopes; ///< the scopes granted, as the file lists them
    /// The cached access token ("token" + "expiry"). Without an expiry it counts as expired
    /// (`expiry == time_point::min()`), as google-auth does.
    std::optional<access_token> token;
    std::string quota_project_id; ///< gcloud's project that pays for the calls; sent as `x-goog-user-project`
    std::string universe_domain; ///< empty means googleapis.com
    std::string account;    ///< the account the token belongs to, when the file says
    std::string rapt_token; ///< a reauth proof token, sent with refresh grants when present

    /// Member-wise.
    friend bool operator==(authorized_user_info const&, authorized_user_info const&) = default;
};

/// A service-account key file (`"type": "service_account"`).
struct service_account_info {
    std::string client_email;    ///< the service account's address: the JWT's issuer
    std::string private_key_pem; ///< the RSA private key, PEM; a secret
    std::string private_key_id;  ///< the key's id, the JWT's `kid` (may be empty)
    /// Where JWTs are traded for tokens (the JWT's audience).
    std::string token_uri = "https://oauth2.googleapis.com/token";
    std::string project_id;      ///< the account's project
    std::string client_id;       ///< the account's numeric id
    std::string universe_domain; ///< empty means googleapis.com

    /// Member-wise.
    friend bool operator==(service_account_info const&, service_account_info const&) = default;
};

/// An OAuth client downloaded from the Cloud Console (client_secret_*.json).
struct client_secrets {
    std::string kind; ///< "installed" or "web": the section the values came from
    std::string client_id;     ///< the OAuth client's id
    std::string client_secret; ///< the OAuth client's secret
    std::string auth_uri = "https://accounts.google.com/o/oauth2/auth"; ///< the consent page's URL
    std::string token_uri = "https://oauth2.googleapis.com/token";      ///< where codes are exchanged
    std::string project_id;    ///< the client's project
    /// As the console lists them (the installed-app flow uses its own loopback URI).
    std::vector<std::string> redirect_uris;

    /// Member-wise.
    friend bool operator==(client_secrets const&, client_secrets const&) = default;
};

/// @var gapi::auth::credential_file_type::authorized_user
/// A user's token file (google-auth's token.json, or gcloud's ADC file).
/// @var gapi::auth::credential_file_type::service_account
/// A service-account key file.
/// @var gapi::auth::credential_file_type::client_secrets
/// An OAuth client secrets file (client_secret_*.json).
/// @var gapi::auth::credential_file_type::unknown
/// Anything else, such as an external_account file.

/// What a credential file holds (`detect_type`).
enum class credential_file_type { authorized_user, service_account, client_secrets, unknown };

/// A credential file or value that cannot be used. `what()` names the file and the field
/// (e.g. "token.json: missing field 'refresh_token'") and never holds a secret's value.
/// `code()` is `error::invalid_credentials` for everything gapi throws.
class credentials_error : public boost::system::system_error {
public:
    /// An error with `code` and exactly `what` as its message.
    GAPI_DECL credentials_error(error_code code, std::string const& what);
    /// An error with `error::invalid_credentials` and exactly `what` as its message.
    GAPI_DECL explicit credentials_error(std::string const& what);

    /// Exactly the message given, without system_error's `": <code message>"` suffix.
    GAPI_DECL char const* what() const noexcept override;

private:
    // Shared so that copying the exception cannot throw.
    std::shared_ptr<std::string const> what_;
};

/// What a parsed credential file is: by "type" (authorized_user, service_account), by an
/// "installed"/"web" section (client secrets), or, for Python's token.json that has no
/// "type", by refresh_token + client_id. Other "type"s (external_account, ...) are unknown.
GAPI_DECL credential_file_type detect_type(boost::json::object const& file);

/// The parsers below check every field they read and throw `credentials_error` whose
/// message begins with `source_name` (the file's path, usually). Unknown fields are
/// ignored; a JSON null counts as an absent optional field.

/// Requires refresh_token, client_id (non-empty strings) and client_secret (a string).
GAPI_DECL authorized_user_info parse_authorized_user(boost::json::object const& file,
                                                     std::string_view source_name);

/// Requires client_email and a private_key that is an unencrypted PEM RSA key (PKCS#8 or PKCS#1).
GAPI_DECL service_account_info parse_service_account(boost::json::object const& file,
                                                     std::string_view source_name);

/// Reads the "web" section when there is one, else "installed" (google-auth-oauthlib's
/// preference); requires its client_id. auth_uri and token_uri must be http(s) URLs.
GAPI_DECL client_secrets parse_client_secrets(boost::json::object const& file, std::string_view source_name);

/// The JSON object in the file at `path`. Throws `credentials_error` when the file cannot
/// be read (with the system's reason), is larger than 1 MiB, is not JSON (with the line
/// and column of the fault) or does not hold an object.
GAPI_DECL boost::json::object read_json_file(std::string const& path);

/// token.json byte for byte as Python google-auth's `Credentials.to_json()` writes it, so
/// that `Credentials.from_authorized_user_file` reads it back: keys in google-auth's order
/// (token, refresh_token, token_uri, client_id, client_secret, scopes, rapt_token,
/// universe_domain, account, expiry), `json.dumps` spacing and ASCII escaping. Fields that
/// Python would hold as None (empty here) are left out; universe_domain defaults to
/// googleapis.com and account to "". expiry is written only for a token with a finite expiry.
GAPI_DECL std::string to_python_token_json(authorized_user_info const& info);

/// Replaces the file at `path` with `content` so that readers see the old file or the new
/// one, never a mix, and a crash leaves no half-written token: a temporary file in the same
/// directory is written, flushed to disk (fsync), given mode 0600 and renamed over `path`.
/// Throws `credentials_error` naming the path and the system's reason. A symbolic link at
/// `path` is replaced, not followed.
GAPI_DECL void write_file_atomically(std::string const& path, std::string_view content);

/// Python's `datetime.isoformat() + "Z"` of a naive UTC time: "YYYY-MM-DDTHH:MM:SS[.ffffff]Z",
/// the fraction only when the microseconds are not zero (finer digits are truncated).
/// Precondition: a time in the years 1 to 9999.
GAPI_DECL std::string format_python_expiry(clock_type::time_point t);

/// Reads "YYYY-MM-DDTHH:MM:SS" with an optional fraction (1 to 9 digits) and an optional
/// "Z" or "+HH:MM"/"-HH:MM" offset (none means UTC, as google-auth writes naive UTC).
GAPI_DECL std::optional<clock_type::time_point> parse_python_expiry(std::string_view text);

} // namespace gapi::auth

#ifdef GAPI_HEADER_ONLY
#include <gapi/auth/impl/credential_files.ipp>
#endif

#endif
