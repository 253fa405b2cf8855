// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_TESTS_SUPPORT_RUN_HPP
#define GAPI_TESTS_SUPPORT_RUN_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <string>

namespace gapi_test {

/// Runs a test coroutine on `ioc` to its end, then lets the context drain. Fails the
/// test if the coroutine throws or if it has not finished within `limit`: every test
/// stops by itself.
template <class Awaitable>
void run(boost::asio::io_context& ioc, Awaitable test,
         std::chrono::steady_clock::duration limit = std::chrono::seconds(60)) {
    bool done = false;
    std::exception_ptr failure;
    boost::asio::co_spawn(ioc, std::move(test), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < deadline && !ioc.stopped())
        ioc.run_one_for(std::chrono::milliseconds(100));
    BOOST_REQUIRE_MESSAGE(done, "test coroutine did not finish in time");
    ioc.restart();
    ioc.poll();
    if (failure)
        std::rethrow_exception(failure);
}

/// Waits on the test's executor until `condition()` holds, looking every millisecond, and
/// fails the test with `what` if it does not hold within `limit`. Tests wait for the event
/// they need instead of sleeping a guessed time: on a loaded machine they just take longer.
template <class Condition>
boost::asio::awaitable<void> eventually(Condition condition, std::string what,
                                        std::chrono::steady_clock::duration limit = std::chrono::seconds(20)) {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    boost::asio::steady_timer tick(co_await boost::asio::this_coro::executor);
    while (!condition()) {
        BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "timed out waiting until " << what);
        tick.expires_after(std::chrono::milliseconds(1));
        co_await tick.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

/// A fresh temporary directory, removed with its files when the object dies.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    std::string const& path() const { return path_; }
    std::string file(std::string const& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

} // namespace gapi_test

#endif
