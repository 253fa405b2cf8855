# Installs the headers and a CMake package, so that other projects can
#   find_package(gapi CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE gapi::gapi)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GAPI_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/gapi)

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gapi gapi_emulator EXPORT gapi-targets)
install(EXPORT gapi-targets NAMESPACE gapi:: DESTINATION ${GAPI_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/gapi-config.cmake.in
    ${PROJECT_BINARY_DIR}/gapi-config.cmake
    INSTALL_DESTINATION ${GAPI_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gapi-config-version.cmake
    COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES
    ${PROJECT_BINARY_DIR}/gapi-config.cmake
    ${PROJECT_BINARY_DIR}/gapi-config-version.cmake
    DESTINATION ${GAPI_INSTALL_CMAKEDIR})
