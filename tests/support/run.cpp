// Copyright (c) 2026 The gapi developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at https://www.boost.org/LICENSE_1_0.txt)
#include "run.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace gapi_test {

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gapi-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

} // namespace gapi_test
