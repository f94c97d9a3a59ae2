# Finds libuv (no CMake package config ships with Debian's libuv1-dev or a mingw build).
# Honours LIBUV_ROOT. Defines the imported target libuv::libuv.
find_path(LIBUV_INCLUDE_DIR NAMES uv.h HINTS ${LIBUV_ROOT} ENV LIBUV_ROOT PATH_SUFFIXES include)
find_library(LIBUV_LIBRARY NAMES uv uv_a libuv HINTS ${LIBUV_ROOT} ENV LIBUV_ROOT PATH_SUFFIXES lib)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(libuv REQUIRED_VARS LIBUV_LIBRARY LIBUV_INCLUDE_DIR)

if(libuv_FOUND AND NOT TARGET libuv::libuv)
  add_library(libuv::libuv UNKNOWN IMPORTED)
  set_target_properties(libuv::libuv PROPERTIES
    IMPORTED_LOCATION "${LIBUV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBUV_INCLUDE_DIR}")
  if(WIN32)
    # What a static libuv needs from Windows itself.
    set_property(TARGET libuv::libuv APPEND PROPERTY INTERFACE_LINK_LIBRARIES
      psapi user32 advapi32 iphlpapi userenv ws2_32 dbghelp ole32 shell32)
  else()
    find_package(Threads REQUIRED)
    set_property(TARGET libuv::libuv APPEND PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads ${CMAKE_DL_LIBS})
  endif()
endif()
mark_as_advanced(LIBUV_INCLUDE_DIR LIBUV_LIBRARY)
