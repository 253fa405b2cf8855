# Runs as `cmake -P`: install gapi into a fresh prefix, then configure, build and run
# a consumer project that only knows gapi through find_package.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run_step)
    execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "step failed (${result}): ${ARGV}")
    endif()
endfunction()

run_step(${CMAKE_COMMAND} --install ${GAPI_BINARY_DIR} --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/gapi.hpp)
    message(FATAL_ERROR "gapi.hpp was not installed")
endif()
# The programs, when this build made them: gapi-merge with its sample, and gapi-emulator.
if(EXISTS ${GAPI_BINARY_DIR}/tools/gapi-merge/gapi-merge)
    foreach(installed bin/gapi-merge bin/gapi-emulator share/gapi/merge-sample/recipients.csv)
        if(NOT EXISTS ${prefix}/${installed})
            message(FATAL_ERROR "${installed} was not installed")
        endif()
    endforeach()
endif()
run_step(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)
run_step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step(${WORK_DIR}/build/consumer)
