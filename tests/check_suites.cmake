# Every test suite in gapi_tests runs under CTest: a suite missing from
# `gapi_test_suites` (tests/CMakeLists.txt) would pass by never running.
# Usage: cmake -DGAPI_TESTS=<gapi_tests> -DSUITES=<a;b;c> -P check_suites.cmake
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${GAPI_TESTS} --list_content
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${GAPI_TESTS} --list_content failed (${rc}): ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}${err}")
set(unlisted)
foreach(line IN LISTS lines)
    # A suite is a line without indentation; Boost.Test marks enabled ones with '*'.
    if(line MATCHES "^([A-Za-z0-9_]+)\\*?$")
        if(NOT CMAKE_MATCH_1 IN_LIST SUITES)
            list(APPEND unlisted ${CMAKE_MATCH_1})
        endif()
    endif()
endforeach()
if(unlisted)
    message(FATAL_ERROR "test suites that CTest does not run (add them to gapi_test_suites): ${unlisted}")
endif()
list(LENGTH SUITES count)
message(STATUS "all ${count} suites run under CTest")
