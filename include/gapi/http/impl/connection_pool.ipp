// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_HTTP_IMPL_CONNECTION_POOL_IPP
#define GAPI_HTTP_IMPL_CONNECTION_POOL_IPP

#include <gapi/detail/complete_handler.hpp>
#include <gapi/http/connection_pool.hpp>
#include <gapi/http/detail/exchange.hpp>
#include <gapi/http/detail/origin_slots.hpp>
#include <gapi/http/url.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/intrusive/list.hpp>

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace gapi::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using clock_type = std::chrono::steady_clock;
using tcp = asio::ip::tcp;
// The body is sent straight from the caller's request: a 35 MB upload is never copied.
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct connection {
    using plain_stream = beast::tcp_stream;
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;

    std::variant<plain_stream, tls_stream> stream;
    // Beast reads at most the buffer's free capacity at a time: a batch answer of 50 parts
    // took ~25 reads (each a trip through the scheduler) with the default size.
    beast::flat_buffer buffer = [] {
        beast::flat_buffer reserved;
        reserved.reserve(64 * 1024);
        return reserved;
    }();
    std::uint64_t requests_served = 0;
    // The stream may carry a deadline of its own (connect, handshake, an exchange in the
    // coroutine): an exchange on callbacks clears it, and the pool's deadline timer keeps
    // its time instead.
    bool stream_has_deadline = true;
    bool socket_non_blocking = false; ///< set for `write_at_once`, on a plain connection

    explicit connection(plain_stream tcp) : stream(std::in_place_type<plain_stream>, std::move(tcp)) {}
    connection(plain_stream tcp, asio::ssl::context& ctx)
        : stream(std::in_place_type<tls_stream>, std::move(tcp), ctx) {}

    beast::tcp_stream& tcp() {
        return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                          stream);
    }

    // A kept-alive connection that the server has closed (or that carries bytes nobody
    // asked for, such as a TLS close_notify or an unsolicited 408) is readable while idle.
    // Peeking without blocking tells a healthy idle connection from such a dead one.
    bool looks_alive() {
        auto& socket = tcp().socket();
        if (!socket.is_open())
            return false;
        // One system call: MSG_DONTWAIT makes this peek non-blocking by itself, where
        // switching the socket to non-blocking and back would cost two more.
        char byte;
        auto const got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }

    void close() { tcp().close(); }
};

// A request waiting for a connection at the per-origin cap. Whoever frees capacity hands
// it over directly (a kept-alive connection, or the right to open one) and wakes it by
// cancelling its timer; the timer's own expiry is the request's deadline.
struct waiter {
    asio::steady_timer timer;
    grant<connection> granted;

    explicit waiter(asio::any_io_executor ex) : timer(std::move(ex)) {}
    void wake() { timer.cancel(); }
};

struct origin_state {
    http::origin where;
    std::string host_field; // "Host: ...\r\n", as every request to it carries
    origin_slots<connection, waiter> slots;

    origin_state(http::origin where_, std::size_t max_connections, clock_type::duration check_after)
        : where(std::move(where_)), host_field("Host: " + where.host_header() + "\r\n"),
          slots(max_connections, check_after) {}
};

// Linked into the pool's list of operations in progress while it runs (`shutdown` aborts
// them); it unlinks itself when it ends, however it ends.
struct op_state : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    std::shared_ptr<request const> req;
    response resp;
    error_code result;
    clock_type::time_point deadline{};
    error_code abort_reason;
    bool written_this_attempt = false;

    // The caller's completion, held here so that both ways of running a request (the
    // coroutine, or callbacks on a kept-alive connection) finish it the same way.
    std::shared_ptr<pool_impl> pool;
    asio::any_completion_handler<connection_pool::completion_signature> handler;
    asio::any_completion_executor work;
    asio::cancellation_slot slot;
    bool on_pool_executor = false;

    // The callbacks' state between steps (the coroutine keeps its own in its frames).
    bool on_callbacks = false; ///< its deadline is the pool's deadline timer's to keep
    origin_state* origin = nullptr;
    std::string head;
    std::unique_ptr<connection> conn;
    std::optional<response_reader> reader;

    // What an abort must interrupt; each is set only while the operation awaits it.
    beast::tcp_stream* active_stream = nullptr;
    waiter* active_waiter = nullptr;
    asio::steady_timer* active_resolution = nullptr;

    void abort(error_code why) {
        if (!abort_reason)
            abort_reason = why;
        if (active_stream)
            active_stream->close();
        if (active_waiter)
            active_waiter->timer.cancel();
        if (active_resolution)
            active_resolution->cancel();
    }
};

// Points op.active_stream at a stream for the lifetime of one phase.
class active_stream_scope {
public:
    active_stream_scope(op_state& op, beast::tcp_stream& s) : op_(op) { op_.active_stream = &s; }
    ~active_stream_scope() { op_.active_stream = nullptr; }
    active_stream_scope(active_stream_scope const&) = delete;
    active_stream_scope& operator=(active_stream_scope const&) = delete;

private:
    op_state& op_;
};

class pool_impl : public std::enable_shared_from_this<pool_impl> {
public:
    pool_impl(asio::any_io_executor ex, pool_options options)
        : executor_(std::move(ex)), options_(std::move(options)),
          tls_context_(asio::ssl::context::tls_client), reaper_(executor_), deadlines_(executor_) {
        if (options_.max_connections_per_origin == 0)
            throw boost::system::system_error(make_error_code(boost::system::errc::invalid_argument),
                                              "gapi: max_connections_per_origin must be at least 1");
        configure_tls();
    }

    asio::any_io_executor const& executor() const noexcept { return executor_; }
    pool_options const& options() const noexcept { return options_; }

    pool_stats stats() const noexcept {
        pool_stats s = counters_;
        for (auto const& [where, o] : origins_) {
            s.open_connections += o->slots.open();
            s.idle_connections += o->slots.idle();
            s.waiting_requests += o->slots.waiting();
        }
        return s;
    }

    // `on_pool_executor`: the handler's executor is the pool's (`detail::runs_on`), whose
    // work the operation counts.
    void start(std::shared_ptr<request const> req,
               asio::any_completion_handler<connection_pool::completion_signature> handler, bool on_pool_executor) {
        auto op = std::make_shared<op_state>();
        op->req = std::move(req);

        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([op, ex = executor_](asio::cancellation_type type) {
                asio::dispatch(ex, [op, type] {
                    bool const effects_possible = op->resp.exchange.request_written;
                    if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial)) !=
                            asio::cancellation_type::none ||
                        !effects_possible)
                        op->abort(asio::error::operation_aborted);
                });
            });
        }
        op->pool = shared_from_this();
        op->work = gapi::detail::work_for(handler, executor_, on_pool_executor);
        op->slot = slot;
        op->on_pool_executor = on_pool_executor;
        // Not a move assignment: Boost 1.81's wraps the handler in another, endlessly.
        op->handler.swap(handler);

        try {
            if (start_on_kept_alive(op))
                return;
            asio::co_spawn(executor_, run(op), [op](std::exception_ptr e) {
                // Nothing in run() throws on purpose; whatever escaped it (memory) is the
                // caller's error, never an exception out of their run().
                if (e)
                    op->result = make_error_code(error::internal_error);
                op->pool->finish(*op);
            });
        } catch (...) {
            // The initiation fails (memory): nothing may hold the operation, and through it
            // the pool, past it.
            if (slot.is_connected())
                slot.clear();
            throw;
        }
    }

    void shutdown() {
        if (shut_down_)
            return;
        shut_down_ = true;
        for (auto& [where, o] : origins_)
            o->slots.close_all();
        // Copy first: aborting may let operations finish and unregister.
        std::vector<op_state*> ops;
        for (auto& op : active_ops_)
            ops.push_back(&op);
        for (auto* op : ops)
            op->abort(error::pool_shut_down);
        reaper_.cancel();
        deadlines_.cancel();
    }

private:
    void configure_tls() {
        auto* native = tls_context_.native_handle();
        SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
        auto const& tls = options_.tls;
        if (tls.use_system_trust_store)
            tls_context_.set_default_verify_paths();
        if (!tls.ca_file.empty()) {
            error_code ec;
            tls_context_.load_verify_file(tls.ca_file, ec);
            if (ec)
                throw boost::system::system_error(ec, "gapi: cannot load CA file '" + tls.ca_file + "'");
        }
        tls_context_.set_verify_mode(tls.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    }

    origin_state& state_of(http::origin const& where) {
        auto& slot = origins_[where];
        if (!slot)
            slot = std::make_unique<origin_state>(where, options_.max_connections_per_origin,
                                                  options_.liveness_check_after);
        return *slot;
    }

    asio::awaitable<void> run(std::shared_ptr<op_state> op) {
        active_ops_.push_back(*op);
        settle(*op, co_await perform(*op));
    }

    // The result, an abort's reason rather than the error the abort caused; the operation
    // is no longer in progress.
    void settle(op_state& op, error_code performed) {
        op.result = performed && op.abort_reason ? op.abort_reason : performed;
        op.unlink();
        leave_callbacks(op);
    }

    // `op`'s exchange no longer runs on callbacks: when none does, the deadline timer
    // stops waiting (a wait left pending would keep the io_context running until then).
    void leave_callbacks(op_state& op) noexcept {
        if (!op.on_callbacks)
            return;
        op.on_callbacks = false;
        if (--ops_on_callbacks_ == 0 && deadlines_armed_) {
            deadlines_armed_ = false;
            deadlines_.cancel();
        }
    }

    // Completes the caller's handler with the settled result. The work stays counted until
    // the handler has run or been dispatched.
    void finish(op_state& op) {
        BOOST_ASSERT(op.handler); // completed once, and only here
        op.unlink(); // when an exception ended the coroutine before it settled
        if (op.slot.is_connected())
            op.slot.clear();
        auto work = std::move(op.work);
        gapi::detail::complete_handler(executor_, op.on_pool_executor, std::move(op.handler), op.result,
                                       std::move(op.resp));
    }

    // The common case without a coroutine (its frames, spawn and awaitable hand-offs cost a
    // send several thousand instructions): a request to the origin last used while a
    // kept-alive connection is idle for it. Its write and read run on callbacks; a failure
    // that may be the keep-alive race is replayed by the coroutine (`replay`). Anything
    // else (a first request to an origin, a connection to open, a queue to wait in) goes
    // the coroutine's way, which handles every case.
    // Whether the caller runs on the pool's executor, where the pool's state may be
    // touched: an io_context's, or a strand of one. Else the coroutine, spawned on it.
    bool running_on_pool_executor() const noexcept {
        if (auto const* io = executor_.target<asio::io_context::executor_type>())
            return io->running_in_this_thread();
        if (auto const* strand = executor_.target<asio::strand<asio::io_context::executor_type>>())
            return strand->running_in_this_thread();
        return false;
    }

    bool start_on_kept_alive(std::shared_ptr<op_state> const& op) {
        if (!running_on_pool_executor() || shut_down_ || !op->req)
            return false;
        origin_state* const origin = remembered_origin(op->req->url);
        if (!origin || origin->slots.idle() == 0 || validate(*op->req))
            return false;
        auto const now = clock_type::now();
        op->conn = origin->slots.take_idle(now);
        if (!op->conn)
            return false; // the idle ones were dead, and are closed: the coroutine connects
        op->deadline = now + op->req->timeout.value_or(options_.request_timeout);
        op->origin = origin;
        try {
            op->head = build_head(*op->req, *origin);
            op->on_callbacks = true;
            ++ops_on_callbacks_;
            active_ops_.push_back(*op);
            auto& exchange = op->resp.exchange;
            ++exchange.attempts;
            exchange.reused_connection = true;
            keep_deadline(op->deadline);
            write_request(op);
        } catch (...) {
            // Memory ran out on the way: the connection's state is unknown, so it goes,
            // and the request goes the coroutine's way from the start, unless it went
            // out already: then the initiation fails, and it is never sent twice.
            bool const written = op->written_this_attempt;
            op->active_stream = nullptr;
            origin->slots.discard(std::move(op->conn));
            leave_callbacks(*op);
            op->unlink();
            if (written)
                throw;
            op->resp.exchange = {};
            op->abort_reason = {}; // a failed deadline wait aborts this exchange too
            return false;
        }
        ++counters_.exchanges_on_callbacks;
        return true;
    }

    // The pool keeps the deadline, so Beast's stream layer has nothing to add on a plain
    // connection: its write and reads go to the socket itself (each of the stream's
    // operations was a handler layer of its own, with executor copies). A TLS
    // connection's go through the TLS stream, over the stream without its timers.
    template <class F>
    static void on_stream(connection& conn, F&& f) {
        if (auto* plain = std::get_if<connection::plain_stream>(&conn.stream))
            f(plain->socket());
        else
            f(std::get<connection::tls_stream>(conn.stream));
    }

    void write_request(std::shared_ptr<op_state> const& op) {
        auto& conn = *op->conn;
        op->active_stream = &conn.tcp();
        if (conn.stream_has_deadline) {
            conn.tcp().expires_never();
            conn.stream_has_deadline = false;
        }
        std::array<asio::const_buffer, 2> message{asio::buffer(op->head), asio::buffer(op->req->body)};
        if (write_at_once(*op, message)) {
            // Nothing is buffered, so this only begins the read: the answer cannot complete
            // inside the caller's send.
            error_code ec;
            if (!parse_or_read(op, ec))
                asio::post(executor_, [op, ec] { op->pool->answer_read(op, ec); });
            return;
        }
        on_stream(conn, [&](auto& stream) {
            asio::async_write(stream, message, [op](error_code ec, std::size_t) mutable {
                op->pool->request_written(std::move(op), ec);
            });
        });
    }

    // As wrk writes: one non-blocking send first, which a small request leaves whole, with
    // no write operation and no completion to run (~1k instructions a send). Only on a
    // plain connection with nothing buffered (an answer already there would complete inside
    // the caller's send). What it does not write, or an error, goes on to the
    // asynchronous write, which reports the error in its turn. `message` is advanced past
    // what went.
    static bool write_at_once(op_state& op, std::array<asio::const_buffer, 2>& message) {
        auto* plain = std::get_if<connection::plain_stream>(&op.conn->stream);
        if (!plain || op.conn->buffer.size() > 0)
            return false;
        auto& socket = plain->socket();
        error_code ec;
        if (!op.conn->socket_non_blocking) {
            socket.non_blocking(true, ec);
            if (ec)
                return false;
            op.conn->socket_non_blocking = true;
        }
        std::size_t written = socket.write_some(message, ec);
        if (ec)
            return false;
        if (written == message[0].size() + message[1].size()) {
            op.written_this_attempt = true;
            op.resp.exchange.request_written = true;
            return true;
        }
        auto const from_head = std::min(written, message[0].size());
        message[0] += from_head;
        message[1] += written - from_head;
        return false;
    }

    void request_written(std::shared_ptr<op_state> op, error_code ec) {
        if (ec)
            return exchange_failed(op, ec);
        op->written_this_attempt = true;
        op->resp.exchange.request_written = true;
        continue_answer(std::move(op));
    }

    // Reads answers as Beast's `async_read` reads one: what the buffer holds first, then
    // more from the stream while the parser needs it; past interim answers to the final
    // one. The parsing and the reads' starts are `guarded`; the end of the exchange, which
    // may call the caller's handler, is not.
    void continue_answer(std::shared_ptr<op_state> op) {
        for (;;) {
            error_code ec;
            bool reading = false;
            if (!guarded(op, [&] { reading = parse_or_read(op, ec); }))
                return;
            if (reading || answer_read(op, ec))
                return;
        }
    }

    // True when the answer needs more bytes and a read has begun; else `ec` tells how the
    // answer ended.
    bool parse_or_read(std::shared_ptr<op_state> const& op, error_code& ec) {
        if (!op->reader) {
            auto& fresh = op->reader.emplace(op->req->keep_success_fields);
            limit_reader(fresh, {.header_bytes = options_.max_response_header_size,
                                 .body_bytes = options_.max_response_body_size},
                         op->req->method == verb::head);
        }
        auto& reader = *op->reader;
        auto& buffer = op->conn->buffer;
        for (;;) {
            ec = {};
            if (reader.is_done())
                return false;
            ec = bhttp::error::need_more;
            if (buffer.size() > 0) {
                auto const used = reader.put(buffer.data(), ec);
                buffer.consume(used);
                if (used > 0)
                    op->resp.exchange.response_started = true;
                else if (!ec && !reader.is_done())
                    ec = bhttp::error::need_more;
            }
            if (!ec)
                continue; // a header without its body yet (the parser stops after it), or done
            if (ec != bhttp::error::need_more)
                return false;
            auto const size = beast::read_size(buffer, 65536);
            if (size == 0) {
                ec = bhttp::error::buffer_overflow;
                return false;
            }
            on_stream(*op->conn, [&](auto& stream) {
                stream.async_read_some(buffer.prepare(size), [op](error_code read_ec, std::size_t bytes) mutable {
                    op->pool->bytes_read(std::move(op), read_ec, bytes);
                });
            });
            return true;
        }
    }

    void bytes_read(std::shared_ptr<op_state> op, error_code ec, std::size_t bytes) {
        op->conn->buffer.commit(bytes);
        if (ec == asio::error::eof) {
            // As Beast reads: an end after some of the answer ends a body that runs to the
            // close, or leaves the answer partial; before any, the stream ended.
            auto& reader = *op->reader;
            if (reader.got_some()) {
                ec = {};
                reader.put_eof(ec);
            } else {
                ec = bhttp::error::end_of_stream;
            }
            if (!answer_read(op, ec)) // an interim answer that ended at the close
                continue_answer(std::move(op));
            return;
        }
        if (ec) {
            answer_read(op, ec);
            return;
        }
        continue_answer(std::move(op));
    }

    // The end of one answer read (`ec` clear) or of the exchange (`ec` set). False: it was
    // an interim answer, and the final one is still to be read.
    bool answer_read(std::shared_ptr<op_state> const& op, error_code ec) {
        auto& reader = *op->reader;
        if (reader.got_some())
            op->resp.exchange.response_started = true;
        bool keep_alive = false;
        bool interim = false;
        if (!ec)
            ec = take_answer(reader, op->resp, keep_alive, interim);
        op->reader.reset();
        if (!ec && interim)
            return false;
        if (ec || op->abort_reason) {
            exchange_failed(op, ec);
            return true;
        }
        op->active_stream = nullptr;
        bool const released = guarded(op, [&] { exchange_completed(*op->origin, std::move(op->conn), keep_alive); });
        if (released) {
            settle(*op, {});
            finish(*op);
        }
        return true;
    }

    // As `perform` after a failed exchange: replayed on a fresh connection if it may have
    // been the keep-alive race, else the caller's error.
    void exchange_failed(std::shared_ptr<op_state> const& op, error_code ec) {
        op->active_stream = nullptr;
        auto& exchange = op->resp.exchange;
        ec = op->abort_reason ? op->abort_reason : classify_exchange_error(ec, exchange.response_started);
        if (!replays(*op, ec)) {
            op->origin->slots.discard(std::move(op->conn));
            settle(*op, ec);
            return finish(*op);
        }
        // The replay keeps the dead connection's place under the cap.
        ++counters_.stale_replays;
        op->conn->close();
        op->conn.reset();
        leave_callbacks(*op); // the coroutine's streams keep its deadline
        try {
            asio::co_spawn(executor_, replay(op), [op](std::exception_ptr e) {
                if (e)
                    op->result = make_error_code(error::internal_error);
                op->pool->finish(*op);
            });
        } catch (...) {
            op->origin->slots.release_slot(); // the place the replay kept
            settle(*op, make_error_code(error::internal_error));
            finish(*op);
        }
    }

    asio::awaitable<void> replay(std::shared_ptr<op_state> op) {
        origin_state& origin = *op->origin;
        std::unique_ptr<connection> conn;
        if (auto ec = co_await connect(origin, *op, conn)) {
            origin.slots.release_slot();
            co_return settle(*op, ec);
        }
        settle(*op, co_await attempts(origin, *op, op->head, conn));
    }

    // One timer for the deadlines of every exchange on callbacks, instead of a timer wait
    // and a cancellation for each read and each write of each exchange (Beast's stream
    // timeouts cost a send ~3k instructions). Requests share a timeout, so deadlines come
    // in the order requests start, and the timer rarely needs to move: it waits for the
    // earliest, then aborts what has expired and waits for the next.
    void keep_deadline(clock_type::time_point deadline) {
        if (deadlines_armed_ && deadlines_at_ <= deadline)
            return;
        deadlines_armed_ = false;
        deadlines_.expires_at(deadline); // a wait for a later deadline ends as aborted
        try {
            deadlines_.async_wait([self = shared_from_this()](error_code ec) {
                if (ec != asio::error::operation_aborted)
                    self->deadlines_passed();
            });
        } catch (...) {
            // Memory ran out: nothing would end the exchanges on callbacks in time, so they
            // end now.
            abort_exchanges_on_callbacks();
            throw;
        }
        deadlines_armed_ = true;
        deadlines_at_ = deadline;
    }

    void deadlines_passed() {
        deadlines_armed_ = false;
        if (shut_down_)
            return;
        auto const now = clock_type::now();
        std::optional<clock_type::time_point> next;
        for (auto& op : active_ops_) {
            if (!op.on_callbacks)
                continue;
            if (op.deadline <= now)
                op.abort(make_error_code(error::request_timeout)); // its exchange fails, and ends
            else if (!next || op.deadline < *next)
                next = op.deadline;
        }
        if (!next)
            return;
        try {
            keep_deadline(*next);
        } catch (...) { // keep_deadline ended them
        }
    }

    void abort_exchanges_on_callbacks() noexcept {
        for (auto& op : active_ops_)
            if (op.on_callbacks)
                op.abort(make_error_code(error::internal_error));
    }

    // A step that allocates, on a callback: should it throw (memory), the caller gets an
    // error rather than an exception in their run(), and the connection is closed (its
    // state is unknown). Not around the caller's handler, whose exceptions are theirs.
    template <class Step>
    bool guarded(std::shared_ptr<op_state> const& op, Step&& step) {
        try {
            step();
            return true;
        } catch (...) {
            op->active_stream = nullptr;
            if (op->conn)
                op->origin->slots.discard(std::move(op->conn));
            settle(*op, make_error_code(error::internal_error));
            finish(*op);
            return false;
        }
    }

    error_code validate(request const& req) const {
        if (req.method == verb::unknown || !has_valid_target(req))
            return error::invalid_url;
        if (!has_valid_fields(req))
            return error::invalid_header_value;
        return {};
    }

    // The request line and header block, written into one string: the transport sets
    // Host, Content-Length and keep-alive itself, and the body goes out beside it in the
    // same gathered write, never copied. (A Beast message built per request cost an
    // allocation per header field and a serializer.) Measured first, then written through
    // a cursor: twenty appends, each an out-of-line call, cost a send ~0.7k instructions.
    std::string build_head(request const& req, origin_state const& to) const {
        using namespace std::string_view_literals;
        auto const method = bhttp::to_string(req.method);
        std::string written_from_url; // only a request without a target of its own needs it
        std::string_view target = req.target;
        if (target.empty()) {
            written_from_url = request_target(req.url);
            target = written_from_url;
        }
        auto const transports_own = [](bhttp::field f) {
            return f == bhttp::field::host || f == bhttp::field::content_length ||
                   f == bhttp::field::transfer_encoding || f == bhttp::field::connection;
        };
        bool has_user_agent = false;
        std::size_t size = method.size() + 1 + target.size() + " HTTP/1.1\r\n"sv.size() + to.host_field.size();
        for (auto const& field : req.headers) {
            if (transports_own(field.name()))
                continue;
            has_user_agent = has_user_agent || field.name() == bhttp::field::user_agent;
            size += field.name_string().size() + 2 + field.value().size() + 2;
        }
        if (!has_user_agent)
            size += "User-Agent: "sv.size() + options_.user_agent.size() + 2;
        // As Beast's prepare_payload: a length whenever there is a body, and for the
        // methods that expect one even when it is empty.
        char length[20];
        std::string_view length_text;
        if (!req.body.empty() || req.method == verb::post || req.method == verb::put || req.method == verb::options) {
            length_text = std::string_view(length, std::to_chars(length, length + sizeof length, req.body.size()).ptr);
            size += "Content-Length: "sv.size() + length_text.size() + 2;
        }
        size += 2;

        std::string head(size, '\0');
        char* out = head.data();
        auto const put = [&out](std::string_view text) {
            std::memcpy(out, text.data(), text.size());
            out += text.size();
        };
        put(method);
        put(" "sv);
        put(target);
        put(" HTTP/1.1\r\n"sv);
        put(to.host_field);
        for (auto const& field : req.headers) {
            if (transports_own(field.name()))
                continue;
            put(field.name_string());
            put(": "sv);
            put(field.value());
            put("\r\n"sv);
        }
        if (!has_user_agent) {
            put("User-Agent: "sv);
            put(options_.user_agent);
            put("\r\n"sv);
        }
        if (!length_text.empty()) {
            put("Content-Length: "sv);
            put(length_text);
            put("\r\n"sv);
        }
        put("\r\n"sv);
        BOOST_ASSERT(out == head.data() + head.size());
        return head;
    }

    // The state of `url`'s origin, and whether it is known: the last one looked up is
    // remembered by its text (a pool's requests almost all go to one origin, and
    // `origin_of` formatting its host and the map comparing origins cost a send ~0.7k
    // instructions). Origin states are never erased, so the pointer stays valid.
    origin_state* remembered_origin(boost::urls::url const& url) const {
        std::string_view const text = url.encoded_origin();
        return last_origin_ && !text.empty() && text == last_origin_text_ ? last_origin_ : nullptr;
    }

    void remember_origin(boost::urls::url const& url, origin_state& state) {
        last_origin_ = nullptr; // should the copy below fail, nothing stale is remembered
        last_origin_text_.assign(url.encoded_origin());
        last_origin_ = &state;
    }

    asio::awaitable<error_code> perform(op_state& op) {
        if (shut_down_)
            co_return error::pool_shut_down;
        if (!op.req)
            co_return error::invalid_url;
        origin_state* known = remembered_origin(op.req->url);
        std::optional<http::origin> where;
        if (!known) {
            auto found = origin_of(op.req->url);
            if (!found)
                co_return found.error();
            where = std::move(*found);
        }
        if (auto ec = validate(*op.req))
            co_return ec;
        auto const now = clock_type::now();
        op.deadline = now + op.req->timeout.value_or(options_.request_timeout);
        if (!known) {
            known = &state_of(*where);
            remember_origin(op.req->url, *known);
        }
        origin_state& origin = *known;
        auto const head = build_head(*op.req, origin);

        std::unique_ptr<connection> conn;
        if (auto ec = co_await acquire(origin, op, now, conn))
            co_return ec;
        co_return co_await attempts(origin, op, head, conn);
    }

    // Sends on `conn`, and once more on a fresh connection after the keep-alive race.
    asio::awaitable<error_code> attempts(origin_state& origin, op_state& op, std::string const& head,
                                         std::unique_ptr<connection>& conn) {
        for (;;) {
            auto& exchange = op.resp.exchange;
            ++exchange.attempts;
            exchange.reused_connection = conn->requests_served > 0;
            exchange.response_started = false;
            op.written_this_attempt = false;
            bool keep_alive = false;
            error_code ec = co_await exchange_on(*conn, head, op, keep_alive);
            if (!ec) {
                exchange_completed(origin, std::move(conn), keep_alive);
                co_return error_code{};
            }
            if (!replays(op, ec)) {
                origin.slots.discard(std::move(conn));
                co_return ec;
            }
            // The replay keeps the dead connection's place under the cap.
            ++counters_.stale_replays;
            conn->close();
            conn.reset();
            if (auto cec = co_await connect(origin, op, conn)) {
                origin.slots.release_slot();
                co_return cec;
            }
        }
    }

    // Hands out a live kept-alive connection, or opens a new one under the cap, or
    // queues the request until one of those is possible or its deadline passes.
    asio::awaitable<error_code> acquire(origin_state& origin, op_state& op, clock_type::time_point now,
                                        std::unique_ptr<connection>& out) {
        auto admitted = origin.slots.admit(now);
        if (admitted.connection) {
            out = std::move(admitted.connection);
            co_return error_code{};
        }
        if (!admitted.slot) {
            auto w = std::make_shared<waiter>(executor_);
            w->timer.expires_at(op.deadline);
            origin.slots.enqueue(w);
            op.active_waiter = w.get();
            co_await w->timer.async_wait(use_tuple);
            op.active_waiter = nullptr;
            auto const woke_at = clock_type::now();
            bool const giving_up = op.abort_reason || woke_at >= op.deadline;
            switch (origin.slots.settle(w, giving_up, woke_at, out)) {
            case origin_slots<connection, waiter>::outcome::use_connection:
                co_return error_code{};
            case origin_slots<connection, waiter>::outcome::gave_up:
                // A connection it was handed and passed on may have gone idle.
                if (origin.slots.idle() > 0)
                    start_reaper();
                co_return op.abort_reason ? op.abort_reason : make_error_code(error::request_timeout);
            case origin_slots<connection, waiter>::outcome::open_connection:
                break;
            }
        }
        error_code ec = co_await connect(origin, op, out);
        if (ec)
            origin.slots.release_slot();
        co_return ec;
    }

    // getaddrinfo cannot be interrupted: Asio's resolver completes only when it returns,
    // however long the system's DNS takes. So the request waits on a timer of its own,
    // which the answer, the deadline or an abort ends; an answer that comes later finds
    // nobody waiting and is dropped.
    struct resolution {
        asio::steady_timer wake;
        std::optional<error_code> result;
        tcp::resolver::results_type endpoints;

        resolution(asio::any_io_executor const& ex, clock_type::time_point deadline) : wake(ex, deadline) {}
    };

    asio::awaitable<error_code> resolve(op_state& op, http::origin const& where, clock_type::time_point deadline,
                                        tcp::resolver::results_type& out, bool& timed_out) {
        auto pending = std::make_shared<resolution>(executor_, deadline);
        auto answer = [pending](error_code ec, tcp::resolver::results_type endpoints) {
            if (pending->result)
                return;
            pending->result = ec;
            pending->endpoints = std::move(endpoints);
            pending->wake.cancel();
        };
        auto const service = std::to_string(where.port);
        if (options_.resolve) {
            options_.resolve(where.host, where.port,
                             [answer, host = where.host, service](error_code ec, std::vector<tcp::endpoint> found) {
                                 answer(ec, tcp::resolver::results_type::create(found.begin(), found.end(), host,
                                                                                service));
                             });
        } else {
            auto resolver = std::make_shared<tcp::resolver>(executor_);
            resolver->async_resolve(where.host, service,
                                    [resolver, answer](error_code ec, tcp::resolver::results_type endpoints) {
                                        answer(ec, std::move(endpoints));
                                    });
        }
        if (!pending->result) {
            op.active_resolution = &pending->wake;
            co_await pending->wake.async_wait(use_tuple);
            op.active_resolution = nullptr;
        }
        if (op.abort_reason)
            co_return op.abort_reason;
        if (!pending->result) {
            pending->result = make_error_code(error::connect_timeout); // a late answer is dropped
            timed_out = true;
            co_return *pending->result;
        }
        out = std::move(pending->endpoints);
        co_return *pending->result;
    }

    asio::awaitable<error_code> connect(origin_state& origin, op_state& op, std::unique_ptr<connection>& out) {
        auto const& where = origin.where;
        auto const now = clock_type::now();
        if (now >= op.deadline)
            co_return error::request_timeout;
        auto const connect_deadline = std::min(now + options_.connect_timeout, op.deadline);
        auto const timeout_error = [&](clock_type::time_point phase_deadline, error phase_error) {
            return make_error_code(phase_deadline < op.deadline ? phase_error : error::request_timeout);
        };

        tcp::resolver::results_type endpoints;
        error_code ec;
        auto address = asio::ip::make_address(where.host, ec);
        bool const is_ip_literal = !ec;
        if (is_ip_literal) {
            endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, where.port), where.host,
                                                            std::to_string(where.port));
        } else {
            bool timed_out = false;
            ec = co_await resolve(op, where, connect_deadline, endpoints, timed_out);
            if (op.abort_reason)
                co_return op.abort_reason;
            if (timed_out)
                co_return timeout_error(connect_deadline, error::connect_timeout);
            if (ec)
                co_return ec;
        }

        beast::tcp_stream stream(executor_);
        {
            active_stream_scope scope(op, stream);
            stream.expires_at(connect_deadline);
            std::tie(ec, std::ignore) = co_await stream.async_connect(endpoints, use_tuple);
        }
        if (op.abort_reason)
            co_return op.abort_reason;
        if (ec == beast::error::timeout)
            co_return timeout_error(connect_deadline, error::connect_timeout);
        if (ec)
            co_return ec;
        stream.socket().set_option(tcp::no_delay(true), ec);
        ++counters_.connections_opened;

        if (!where.is_tls()) {
            out = std::make_unique<connection>(std::move(stream));
            co_return error_code{};
        }

        auto conn = std::make_unique<connection>(std::move(stream), tls_context_);
        auto& tls = std::get<connection::tls_stream>(conn->stream);
        // Asio sets SSL_MODE_RELEASE_BUFFERS, so OpenSSL freed and allocated again ~33 KB
        // of record buffers on every exchange (~1.5k instructions per send). A pooled
        // connection keeps them instead, until the reaper closes it once idle.
        SSL_clear_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
        // SNI carries host names only (RFC 6066), never address literals.
        if (!is_ip_literal && !SSL_set_tlsext_host_name(tls.native_handle(), where.host.c_str()))
            ERR_clear_error();
        if (options_.tls.verify_peer)
            tls.set_verify_callback(asio::ssl::host_name_verification(where.host));
        auto const handshake_deadline = std::min(clock_type::now() + options_.tls_handshake_timeout, op.deadline);
        {
            active_stream_scope scope(op, conn->tcp());
            conn->tcp().expires_at(handshake_deadline);
            std::tie(ec) = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
        }
        if (op.abort_reason)
            co_return op.abort_reason;
        if (ec == beast::error::timeout)
            co_return timeout_error(handshake_deadline, error::tls_handshake_timeout);
        if (ec)
            co_return ec;
        out = std::move(conn);
        co_return error_code{};
    }

    asio::awaitable<error_code> exchange_on(connection& conn, std::string const& head, op_state& op, bool& keep_alive) {
        // An abort that landed between two phases found no stream to close.
        if (op.abort_reason)
            co_return op.abort_reason;
        active_stream_scope scope(op, conn.tcp());
        conn.tcp().expires_at(op.deadline);
        conn.stream_has_deadline = true;
        error_code ec;
        // Named, not made in the co_await expression (GCC 12).
        response_limits const limits{.header_bytes = options_.max_response_header_size,
                                     .body_bytes = options_.max_response_body_size};
        bool const head_request = op.req->method == verb::head;
        if (auto* plain = std::get_if<connection::plain_stream>(&conn.stream))
            ec = co_await exchange(*plain, conn.buffer, head, op.req->body, limits, head_request, op.resp,
                                   op.written_this_attempt, keep_alive, op.req->keep_success_fields);
        else
            ec = co_await exchange(std::get<connection::tls_stream>(conn.stream), conn.buffer, head, op.req->body,
                                   limits, head_request, op.resp, op.written_this_attempt, keep_alive,
                                   op.req->keep_success_fields);
        if (op.abort_reason)
            co_return op.abort_reason;
        if (ec)
            co_return classify_exchange_error(ec, op.resp.exchange.response_started);
        co_return error_code{};
    }

    // Both ways of exchanging end here. A completed exchange: counted, and its connection
    // kept for the next request, or closed.
    void exchange_completed(origin_state& origin, std::unique_ptr<connection> conn, bool keep_alive) {
        ++counters_.requests_completed;
        ++conn->requests_served;
        if (keep_alive && clean_for_reuse(*conn))
            release(origin, std::move(conn));
        else
            origin.slots.discard(std::move(conn));
    }

    // A failed exchange (`ec`, classified) goes once more on a new connection when it may
    // have been the keep-alive race, and was neither aborted nor is past its deadline.
    static bool replays(op_state const& op, error_code ec) {
        return may_replay(op.resp.exchange, op.written_this_attempt, op.req->replay_on_stale_connection, ec) &&
               !op.abort_reason && clock_type::now() < op.deadline;
    }

    // Nothing of the server's left over after the answer (bytes past its end, a second
    // answer nobody asked for): the next request would read them as its own answer.
    static bool clean_for_reuse(connection& conn) {
        if (conn.buffer.size() > 0)
            return false;
        auto* tls = std::get_if<connection::tls_stream>(&conn.stream);
        if (!tls)
            return true;
        // Decrypted and not yet read, or received and not yet decrypted.
        SSL* const ssl = tls->native_handle();
        return SSL_pending(ssl) == 0 && BIO_ctrl_pending(SSL_get_rbio(ssl)) == 0;
    }

    void release(origin_state& origin, std::unique_ptr<connection> conn) {
        origin.slots.release(std::move(conn), clock_type::now());
        if (origin.slots.idle() > 0)
            start_reaper();
    }

    void start_reaper() {
        if (reaper_running_ || shut_down_)
            return;
        // Set once it runs: should the spawn fail, the next release tries again. (The
        // reaper cannot end inside the spawn: its callers leave a connection idle.)
        asio::co_spawn(executor_, reap_idle(shared_from_this()), asio::detached);
        reaper_running_ = true;
    }

    asio::awaitable<void> reap_idle([[maybe_unused]] std::shared_ptr<pool_impl> self) {
        while (!shut_down_) {
            std::optional<clock_type::time_point> next;
            for (auto const& [where, o] : origins_)
                if (auto since = o->slots.oldest_idle_since(); since && (!next || *since < *next))
                    next = since;
            if (!next)
                break;
            reaper_.expires_at(*next + options_.idle_timeout);
            co_await reaper_.async_wait(use_tuple);
            auto const cutoff = clock_type::now() - options_.idle_timeout;
            for (auto& [where, o] : origins_)
                o->slots.close_idle_since(cutoff);
        }
        reaper_running_ = false;
    }

    asio::any_io_executor executor_;
    pool_options options_;
    asio::ssl::context tls_context_;
    std::map<http::origin, std::unique_ptr<origin_state>> origins_;
    std::string last_origin_text_;         // `remembered_origin`'s
    origin_state* last_origin_ = nullptr;
    boost::intrusive::list<op_state, boost::intrusive::constant_time_size<false>> active_ops_;
    asio::steady_timer reaper_;
    asio::steady_timer deadlines_; ///< the earliest deadline of the exchanges on callbacks
    bool deadlines_armed_ = false; ///< a wait on `deadlines_` for `deadlines_at_` is pending
    std::size_t ops_on_callbacks_ = 0;
    clock_type::time_point deadlines_at_{};
    bool reaper_running_ = false;
    bool shut_down_ = false;
    pool_stats counters_;
};

} // namespace gapi::http::detail

namespace gapi::http {

GAPI_DECL connection_pool::connection_pool(executor_type executor, pool_options options)
    : impl_(std::make_shared<detail::pool_impl>(std::move(executor), std::move(options))) {}

GAPI_DECL connection_pool::~connection_pool() { impl_->shutdown(); }

GAPI_DECL connection_pool::executor_type connection_pool::get_executor() const noexcept {
    return impl_->executor();
}

GAPI_DECL pool_options const& connection_pool::options() const noexcept { return impl_->options(); }

GAPI_DECL pool_stats connection_pool::stats() const noexcept { return impl_->stats(); }

GAPI_DECL void connection_pool::shutdown() { impl_->shutdown(); }

GAPI_DECL void connection_pool::fail_shut_down(executor_type const& executor,
                                               boost::asio::any_completion_handler<completion_signature> handler) {
    boost::asio::post(executor, boost::asio::append(std::move(handler), make_error_code(error::pool_shut_down),
                                                    response{}));
}

GAPI_DECL void connection_pool::start_send(detail::pool_impl& impl, std::shared_ptr<request const> req,
                                           boost::asio::any_completion_handler<completion_signature> handler,
                                           bool on_pool_executor) {
    impl.start(std::move(req), std::move(handler), on_pool_executor);
}

} // namespace gapi::http

#endif
