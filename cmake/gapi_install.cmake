# Installs the headers, a CMake package and a pkg-config file, so that other projects can
#   find_package(gapi CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE gapi::gapi)
# or
#   g++ -std=c++20 app.cpp $(pkg-config --cflags --libs gapi)
# All of it is the `dev` component (the libgapi-dev package); the programs are `tools`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Header-only: nothing here depends on the architecture, so it goes under share/ (where
# find_package and pkg-config look too), and libgapi-dev is Architecture: all.
set(GAPI_INSTALL_CMAKEDIR ${CMAKE_INSTALL_DATADIR}/cmake/gapi)
set(GAPI_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_DATADIR}/pkgconfig)

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(TARGETS gapi gapi_emulator EXPORT gapi-targets COMPONENT dev)
install(EXPORT gapi-targets NAMESPACE gapi:: DESTINATION ${GAPI_INSTALL_CMAKEDIR} COMPONENT dev)

configure_package_config_file(cmake/gapi-config.cmake.in
    ${PROJECT_BINARY_DIR}/gapi-config.cmake
    INSTALL_DESTINATION ${GAPI_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gapi-config-version.cmake
    COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES
    ${PROJECT_BINARY_DIR}/gapi-config.cmake
    ${PROJECT_BINARY_DIR}/gapi-config-version.cmake
    DESTINATION ${GAPI_INSTALL_CMAKEDIR} COMPONENT dev)

# pkg-config: the prefix relative to the file, so that it holds under any install prefix.
file(RELATIVE_PATH gapi_pc_prefix_from_pcdir /prefix/${GAPI_INSTALL_PKGCONFIGDIR} /prefix)
string(REGEX REPLACE "/$" "" gapi_pc_prefix_from_pcdir "${gapi_pc_prefix_from_pcdir}")
configure_file(cmake/gapi.pc.in ${PROJECT_BINARY_DIR}/gapi.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/gapi.pc DESTINATION ${GAPI_INSTALL_PKGCONFIGDIR} COMPONENT dev)

# The licence, where Debian keeps each package's.
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/libgapi-dev RENAME copyright COMPONENT dev)
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/gapi-tools RENAME copyright COMPONENT tools)
