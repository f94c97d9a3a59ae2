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

// The enclosing function's full name with its template arguments, as std::source_location's
// function_name() gives it where the standard library has it (clang 14 with libstdc++ 12, the
// fuzzer's toolchain, has not).
#if defined(_MSC_VER) && !defined(__clang__)
  #define MPROC_FUNCTION_SIGNATURE __FUNCSIG__
#else
  #define MPROC_FUNCTION_SIGNATURE __PRETTY_FUNCTION__
#endif
