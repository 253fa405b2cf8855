// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_EMULATOR_GMAIL_SERVICE_HPP
#define GAPI_EMULATOR_GMAIL_SERVICE_HPP

#include <gapi/config.hpp>
#include <gapi/emulator/api.hpp>
#include <gapi/emulator/mime_reader.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/json/object.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/url/url.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gapi::emulator {

/// Size limits of the emulated Gmail.
struct gmail_limits {
    /// Bodies of the plain JSON endpoints (`{"raw": ...}`); larger ones get Google's
    /// 400 "Request payload size exceeds the limit: N bytes." (1 MiB was observed in
    /// 2016, the current value is unconfirmed; fact sheet 3.3).
    std::size_t max_json_body = 5 * 1024 * 1024;
    /// RFC 822 message size for every way of sending (discovery mediaUpload.maxSize);
    /// larger ones get 413.
    std::size_t max_message_size = 36700160;
    /// To + Cc + Bcc per message through the API (fact sheet 3.4).
    std::size_t max_recipients = 100;
    /// 0 accepts resumable chunks of any size. Otherwise every chunk but the last must
    /// end on a multiple of this (Google asks for 262144) or it gets 400.
    std::size_t resumable_chunk_granularity = 0;
    /// History records each mailbox keeps for users.history.list; a start id older than
    /// the oldest kept gets 404, as Google's does after about a week.
    std::size_t history_records = 10000;
};

/// One change of a mailbox, for users.history.list.
struct history_record {
    std::uint64_t id = 0;   ///< the mailbox's history id after the change
    std::string type; ///< messageAdded, messageDeleted, labelAdded or labelRemoved (Google's historyTypes)
    std::string message_id; ///< the changed message's Gmail id
    std::string thread_id;  ///< its thread's id
    std::vector<std::string> message_labels; ///< the message's labels after the change
    std::vector<std::string> changed_labels; ///< labelAdded / labelRemoved: the labels changed
};

/// An attachment of a stored message: a leaf part with a filename.
struct stored_attachment {
    std::string filename;  ///< UTF-8, decoded from RFC 2231 / RFC 2047
    std::string mime_type; ///< lowercase
    std::string data;      ///< transfer-decoded bytes
};

/// A message as one mailbox holds it.
struct stored_message {
    std::string id;        ///< 16 lowercase hex digits
    std::string thread_id; ///< 16 lowercase hex digits
    std::vector<std::string> label_ids; ///< system (INBOX, SENT, UNREAD, DRAFT, ...) and user label ids
    std::string raw;        ///< the RFC 822 bytes as received (recipients' copies without Bcc)
    std::string from;       ///< From, RFC 2047-decoded; the sender's address when absent
    std::string subject;    ///< RFC 2047-decoded
    std::string message_id; ///< with the angle brackets; generated when the message had none
    std::vector<mime_address> to;  ///< the To recipients
    std::vector<mime_address> cc;  ///< the Cc recipients
    std::vector<mime_address> bcc; ///< the Bcc recipients (empty in the recipients' copies)
    std::vector<stored_attachment> attachments; ///< its leaf parts with a filename, in order
    std::string text_body; ///< the first text/plain leaf, as UTF-8
    std::string html_body; ///< the first text/html leaf, as UTF-8
    /// What Gmail shows in lists: the first 200 bytes of the body's text with white space
    /// collapsed, HTML-escaped; made once when the message is stored, not on every read.
    std::string snippet;
    std::int64_t internal_date_ms = 0; ///< Gmail's internalDate: when the mailbox got it, ms since 1970
    std::uint64_t history_id = 0;      ///< the mailbox's history id when it was stored or last relabelled
    std::string upload_type;               ///< "json", "media", "multipart" or "resumable"
    std::vector<std::string> mime_defects; ///< what the emulator's MIME reader tolerated
    std::vector<std::string> in_reply_to;  ///< Message-IDs from In-Reply-To and References
    /// messages.delete / batchDelete: gone from every answer; the record stays for tests
    /// (ids, headers, labels), its content (raw, bodies, attachments) is freed.
    bool deleted = false;
};

/// The emulator's Gmail v1: users.getProfile, users.watch/stop; users.messages
/// send/insert/import/list/get/modify/trash/untrash/delete/batchModify/batchDelete and
/// users.messages.attachments.get; users.threads get/list/modify/trash/untrash/delete;
/// users.drafts create/get/list/update/send/delete; users.labels
/// list/get/create/update/patch/delete; users.history.list; users.settings.sendAs
/// list/get. Messages come as JSON `raw` or by the media, multipart and resumable upload
/// protocols (send, insert, import and the drafts' create, update and send).
///
/// Every built-in user has a mailbox. Sending stores the message in the sender's
/// mailbox (SENT) and delivers a copy to every recipient that is a built-in user
/// (INBOX, UNREAD). Not thread-safe: the emulator calls it under its state lock.
///
/// Resumable upload session URIs (PUT ...?uploadType=resumable&upload_id=...) match
/// a method_info with no scopes and 0 quota units: like Google, the session id is the
/// credential, so the router must not ask for a token there.
class gmail_service {
public:
    /// An empty mailbox for each of `users` (addresses, matched case-insensitively);
    /// `seed` makes the message, thread and draft ids reproducible.
    GAPI_DECL gmail_service(std::vector<std::string> users, gmail_limits limits = {}, std::uint64_t seed = 1);

    /// The Gmail method a request names (under /gmail/v1/users/, /upload/gmail/v1/users/
    /// or /resumable/upload/gmail/v1/users/), with its path parameters, the user id first;
    /// nullopt for any other path or a method the emulator does not serve.
    GAPI_DECL std::optional<matched_call> match(verb method, boost::urls::url const& url) const;
    /// Answers a call `match` found, for the token's principal `who` (already authenticated,
    /// its scopes checked; a resumable session's chunks need no token): Google's status and
    /// body. The user id must be "me" or `who`'s own address (else 403); an exception inside
    /// becomes 500 backendError.
    GAPI_DECL api_response handle(matched_call const& call, api_request const& request, principal const& who);

    // ---- inspection, the truth for tests (the caller holds the emulator lock) ----------------

    /// Whether `email` (any case) has a mailbox here.
    GAPI_DECL bool has_user(std::string_view email) const;
    /// The mailbox's messages (drafts not included), oldest first; empty for unknown users.
    /// A deque: storing a message never moves the others.
    GAPI_DECL std::deque<stored_message> const& messages(std::string const& email) const;
    /// (draft id, draft message), oldest first.
    GAPI_DECL std::vector<std::pair<std::string, stored_message>> drafts(std::string const& email) const;
    /// Message-ID -> count among the mailbox's SENT messages, only those sent more than once.
    GAPI_DECL std::map<std::string, std::size_t> duplicate_message_ids(std::string const& email) const;
    /// {"emailAddress", "historyId", "messages":[...], "drafts":[{id, message}], "labels":[...],
    ///  "duplicateMessageIds":{id: count}, "watches":[topic]}; each message with its id, threadId, labelIds, decoded
    /// from/to/cc/bcc/subject/messageId, attachments (filename, mimeType, size), sizeEstimate,
    /// uploadType and mimeDefects.
    GAPI_DECL boost::json::object inspect_json(std::string const& email) const;
    /// The limits in force.
    gmail_limits const& limits() const noexcept { return limits_; }

private:
    struct user_label {
        std::string id;
        std::string name;
        std::string message_list_visibility;
        std::string label_list_visibility;
    };

    using draft_list = std::list<std::pair<std::string, stored_message>>;

    static constexpr std::size_t draft_position = static_cast<std::size_t>(-1);

    // What the indexes point at: a message (with its position in mailbox::messages) or a draft.
    struct indexed {
        stored_message const* message = nullptr;
        std::size_t position = draft_position;
    };

    // 256 hash tables, picked by the key's top byte. The keys are uniformly random 64-bit
    // values (permuted counters, mixed hashes), so the parts fill evenly and each grows on
    // its own: an insert rehashes at most 1/256 of the entries, never a whole big table
    // under the emulator's lock (one 500k-entry table took hundreds of milliseconds to
    // rehash). The tables are open-addressing (no allocation per entry): the indexes are
    // what storing a message costs most, as loads store hundreds of thousands. The parts
    // are made on the first insert, so that a mailbox nobody uses stays small.
    template <class Table>
    struct sharded {
        std::vector<Table> parts; // empty or 256
        Table& part(std::uint64_t key) {
            if (parts.empty())
                parts.resize(256);
            return parts[key >> 56];
        }
        Table const& part(std::uint64_t key) const noexcept {
            static Table const none;
            return parts.empty() ? none : parts[key >> 56];
        }
        std::size_t size() const noexcept {
            std::size_t n = 0;
            for (auto const& p : parts)
                n += p.size();
            return n;
        }
    };

    // Messages and drafts never move once stored (deque appends and list nodes keep their
    // addresses), so the indexes hold pointers to them. Every insert and removal goes
    // through index_message / unindex_message; a copied mailbox rebuilds its indexes.
    //
    // Keys are integers, so a lookup touches no message but its hits: message and thread
    // ids are new_hex_id() output, 16 hex digits, keyed by their value
    // (detail::gmail::id_key); Message-IDs are keyed by a hash of what rfc822msgid: compares
    // (detail::gmail::message_id_hash), and lookups check the hits' Message-IDs.
    struct mailbox {
        std::string email;
        std::deque<stored_message> messages;
        draft_list drafts;
        std::vector<user_label> labels;
        std::uint64_t next_label = 1;
        std::uint64_t history_id = 0;
        std::deque<history_record> history; // oldest first, at most limits.history_records
        std::uint64_t history_floor = 0;    // start ids below this are too old
        std::vector<std::string> watches;   // users.watch topics, in order (users.stop clears)

        sharded<boost::unordered_flat_map<std::uint64_t, indexed>> by_id;       // messages and drafts
        std::map<std::string_view, draft_list::iterator> drafts_by_id;          // by draft id (viewing it)
        sharded<boost::unordered_flat_map<std::uint64_t, std::size_t>> threads; // thread -> its messages and drafts
        // Messages and drafts by Message-ID hash; one entry each but for resent messages.
        sharded<boost::unordered_flat_map<std::uint64_t, boost::container::small_vector<indexed, 1>>> by_message_id;

        mailbox() = default;
        GAPI_DECL mailbox(mailbox const& other);
        mailbox(mailbox&&) = default;
        GAPI_DECL mailbox& operator=(mailbox const& other);
        mailbox& operator=(mailbox&&) = default;
        ~mailbox() = default;
    };

    enum class target : std::uint8_t {
        messages_send, drafts_create, drafts_send, drafts_update, messages_insert, messages_import };

    struct upload_session {
        target kind = target::messages_send;
        std::string draft_id; // drafts.update: the draft the path names
        std::string mailbox_key;
        boost::json::object metadata;
        std::optional<std::uint64_t> declared_length;
        std::string bytes;
        bool finished = false;
        api_response final_response;
    };

    // The content of one send/create call, however it arrived.
    struct submission {
        boost::json::object metadata;   // Message (send) or Draft (drafts.*) resource
        std::optional<std::string> raw; // media bytes; when unset, taken from metadata
        std::string upload_type;
        std::string draft_id; // drafts.update: the draft the path names
    };

    GAPI_DECL mailbox* find_mailbox(std::string_view email);
    GAPI_DECL mailbox const* find_mailbox(std::string_view email) const;
    GAPI_DECL std::string new_hex_id();
    GAPI_DECL std::string new_draft_id();
    GAPI_DECL bool thread_exists(mailbox const& box, std::string const& thread_id) const;
    GAPI_DECL stored_message const* find_message(mailbox const& box, std::string const& id) const;

    GAPI_DECL static void index_message(mailbox& box, stored_message const& m, std::size_t position);
    GAPI_DECL static void unindex_message(mailbox& box, stored_message const& m);
    GAPI_DECL stored_message const& store_message(mailbox& box, stored_message message);
    GAPI_DECL static void store_draft(mailbox& box, std::string draft_id, stored_message message);
    GAPI_DECL static void remove_draft(mailbox& box, draft_list::iterator draft);

    GAPI_DECL api_response receive(target kind, api_request const& request, mailbox& box,
                                   std::string const& draft_id = {});
    GAPI_DECL api_response upload_chunk(api_request const& request);
    GAPI_DECL api_response complete(target kind, submission sub, mailbox& box, clock_type::time_point now);
    GAPI_DECL api_response send_message(mailbox& box, stored_message message,
                                        std::vector<mime_address> const& all, clock_type::time_point now);
    GAPI_DECL void deliver(stored_message const& sent, std::string const& recipient_key);

    GAPI_DECL api_response get_message(mailbox const& box, api_request const& request,
                                       std::string const& id) const;
    GAPI_DECL api_response list_messages(mailbox const& box, api_request const& request) const;
    GAPI_DECL api_response get_draft(mailbox const& box, api_request const& request,
                                     std::string const& id) const;
    GAPI_DECL api_response list_drafts(mailbox const& box, api_request const& request) const;
    GAPI_DECL api_response delete_draft(mailbox& box, std::string const& id);
    GAPI_DECL api_response list_labels(mailbox const& box) const;
    GAPI_DECL api_response create_label(mailbox& box, api_request const& request);
    GAPI_DECL api_response get_profile(mailbox const& box) const;

    // The label-changing methods (modify, trash, untrash, batchModify) and the rest of
    // the generated layer's common calls.
    GAPI_DECL std::optional<api_response> unknown_label(mailbox const& box, std::vector<std::string> const& ids) const;
    GAPI_DECL bool is_draft(mailbox const& box, stored_message const& m) const;
    /// messages.delete and its batch and thread forms: gone from every answer and index.
    GAPI_DECL void erase_message(mailbox& box, stored_message const& m);
    GAPI_DECL std::optional<api_response> change_labels(mailbox& box, stored_message const& m,
                                                        std::vector<std::string> const& add,
                                                        std::vector<std::string> const& remove);
    GAPI_DECL api_response modify_message(mailbox& box, api_request const& request, std::string const& id);
    GAPI_DECL api_response trash_message(mailbox& box, std::string const& id, bool trash);
    GAPI_DECL api_response batch_modify(mailbox& box, api_request const& request);
    GAPI_DECL api_response delete_message(mailbox& box, std::string const& id);
    GAPI_DECL api_response batch_delete(mailbox& box, api_request const& request);
    GAPI_DECL api_response get_attachment(mailbox const& box, std::string const& message_id,
                                          std::string const& attachment_id) const;
    GAPI_DECL api_response get_label(mailbox const& box, std::string const& id) const;
    GAPI_DECL api_response delete_label(mailbox& box, std::string const& id);
    GAPI_DECL api_response get_thread(mailbox const& box, api_request const& request, std::string const& id) const;
    GAPI_DECL api_response list_threads(mailbox const& box, api_request const& request) const;
    /// threads.modify, trash, untrash and delete: what the message methods do, to every message of the thread.
    GAPI_DECL api_response change_thread(mailbox& box, api_request const& request, std::string const& id,
                                         std::string_view how);
    GAPI_DECL api_response update_label(mailbox& box, api_request const& request, std::string const& id, bool patch);
    GAPI_DECL std::optional<api_response> label_name_refused(mailbox const& box, std::string const& name,
                                                             std::string const& except_id) const;
    GAPI_DECL api_response list_history(mailbox const& box, api_request const& request) const;
    GAPI_DECL api_response send_as(mailbox const& box, std::string const* address) const;
    GAPI_DECL api_response watch(mailbox& box, api_request const& request, bool stop);
    GAPI_DECL void record(mailbox& box, history_record r) const;

    std::map<std::string, mailbox, std::less<>> mailboxes_; // by lowercase email
    gmail_limits limits_;
    std::mt19937_64 rng_;
    std::uint64_t hex_ids_made_ = 0;
    std::uint64_t hex_id_key_ = 0;                            // from the seed: where the ids start
    std::set<std::uint64_t> used_draft_ids_;                  // numbers behind new_draft_id()s ("r" + digits)
    std::uint64_t history_ = 1000;
    std::map<std::string, upload_session> sessions_; // by upload_id
};

} // namespace gapi::emulator

#ifdef GAPI_HEADER_ONLY
#include <gapi/emulator/impl/gmail_service.ipp>
#endif

#endif
