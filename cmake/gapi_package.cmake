# Debian packages, from a build that made the programs (the release preset):
#   cmake --build --preset release && (cd build/release && cpack)
# libgapi-dev: the headers, the CMake package and gapi.pc (the `dev` component);
# gapi-tools: gapi-merge with its sample, gapi-emulator and gapi-bench (the `tools` component).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gapi)
set(CPACK_PACKAGE_VENDOR "The gapi developers")
set(CPACK_PACKAGE_CONTACT "The gapi developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libgapi-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What the headers include and what gapi-config.cmake and gapi.pc ask for: Boost 1.81's
# headers (Asio, Beast), its compiled JSON and URL, OpenSSL's headers and libraries.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "g++ (>= 4:12), cmake (>= 3.20), pkg-config")
# gapi verifies Google's certificates against the system's store.
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "ca-certificates")
# The project's description is the synopsis of both; CPack indents these lines under it.
set(CPACK_DEBIAN_DEV_DESCRIPTION "The headers, CMake package and pkg-config file of gapi.
Asynchronous Gmail v1 and Calendar v3 on Boost.Asio: OAuth 2.0 (every credential
kind), MIME, batching, retries, quota pacing and every method of both APIs.
Includes gapi::emulator, a local Google for tests.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME gapi-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION mail)
# The programs' shared libraries (libboost-json, libboost-url, libssl3, libstdc++) as
# dpkg-shlibdeps finds them.
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_TOOLS_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "gapi's programs: a bulk mail merge, a local Google and a benchmark.
gapi-merge sends personalised mail with attachments to thousands of recipients
through Gmail; gapi-emulator is a local Google (OAuth, Gmail, Calendar) for tests;
gapi-bench measures Gmail and Calendar API throughput.")

include(CPack)
