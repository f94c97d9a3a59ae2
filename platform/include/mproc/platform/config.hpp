#pragma once
// The one place that decides which platform we build for (Boost.Process v2 `detail/config.hpp`).
// Everything else tests MPROC_PLATFORM_WINDOWS / MPROC_PLATFORM_POSIX, never the compiler macros.

#if defined(_WIN32)
  #define MPROC_PLATFORM_WINDOWS 1
  #define MPROC_PLATFORM_POSIX 0
#elif defined(__unix__) || defined(__APPLE__)
  #define MPROC_PLATFORM_WINDOWS 0
  #define MPROC_PLATFORM_POSIX 1
#else
  #error "mproc supports POSIX systems and Windows only"
#endif
