// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#ifndef GAPI_BENCHMARKS_BENCH_TARGET_HPP
#define GAPI_BENCHMARKS_BENCH_TARGET_HPP

// Where a benchmark sends its calls: the --endpoint and --token it was given, or else an
// emulator embedded in the program (quota off, its files in a temporary folder that goes
// with it).

#include <gapi/emulator/emulator.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <unistd.h>

namespace gapi_bench {

class bench_target {
public:
    bench_target(std::string endpoint, std::string token, std::string const& program)
        : root_(std::move(endpoint)), token_(std::move(token)) {
        if (!root_.empty())
            return;
        state_dir_ = std::filesystem::temp_directory_path() / (program + "-" + std::to_string(::getpid()));
        gapi::emulator::emulator_options eo;
        eo.state_dir = state_dir_.string();
        eo.quota.enabled = false;
        embedded_.emplace(std::move(eo));
        embedded_->start();
        root_ = embedded_->base_url();
        token_ = (state_dir_ / "token.json").string();
    }
    ~bench_target() {
        embedded_.reset();
        if (!state_dir_.empty())
            std::filesystem::remove_all(state_dir_);
    }
    bench_target(bench_target const&) = delete;
    bench_target& operator=(bench_target const&) = delete;

    std::string const& root() const { return root_; }
    std::string const& token() const { return token_; }
    bool embedded() const { return embedded_.has_value(); }

private:
    std::string root_, token_;
    std::filesystem::path state_dir_;
    std::optional<gapi::emulator::emulator> embedded_;
};

} // namespace gapi_bench

#endif
