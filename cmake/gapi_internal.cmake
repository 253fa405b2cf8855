# What gapi's own tests, examples and benchmarks share; nothing here is installed.

# Warnings are errors in our own code. Boost and OpenSSL are system headers, so their
# warnings do not count.
add_library(gapi_warnings INTERFACE)
# -Wmissing-field-initializers would flag designated initializers that rely on
# defaults, which is how options are meant to be written. GCC 12 reports Asio's
# coroutine frame allocator as mismatched new/delete at -O2, wrongly (its operator
# new and delete are a matched pair of class members).
target_compile_options(gapi_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers
    $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)

# Asio, Beast, Asio SSL and gapi compiled once instead of in every test and program: the
# header-only build of each would cost minutes on 2 cores. Two translation units, so that
# both cores work and a change to gapi does not rebuild Asio.
add_library(gapi_compiled STATIC ${PROJECT_SOURCE_DIR}/cmake/compiled_boost.cpp
    ${PROJECT_SOURCE_DIR}/cmake/gapi_compiled.cpp)
target_compile_definitions(gapi_compiled PUBLIC
    GAPI_SEPARATE_COMPILATION
    BOOST_ASIO_SEPARATE_COMPILATION
    BOOST_BEAST_SEPARATE_COMPILATION
    BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(gapi_compiled PUBLIC gapi::gapi PRIVATE gapi_warnings)

# The emulator on its own, so that a program that only talks to Google neither compiles
# nor links it.
add_library(gapi_emulator_compiled STATIC ${PROJECT_SOURCE_DIR}/cmake/compiled_emulator.cpp)
target_link_libraries(gapi_emulator_compiled PUBLIC gapi_compiled gapi::emulator PRIVATE gapi_warnings)

# A program of ours: warnings as errors and the precompiled implementation;
# `gapi_add_program(name EMULATOR sources...)` for one that embeds the emulator.
function(gapi_add_program name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "EMULATOR" "" "")
    add_executable(${name} ${arg_UNPARSED_ARGUMENTS})
    target_link_libraries(${name} PRIVATE gapi_compiled gapi_warnings)
    if(arg_EMULATOR)
        target_link_libraries(${name} PRIVATE gapi_emulator_compiled)
    endif()
endfunction()
