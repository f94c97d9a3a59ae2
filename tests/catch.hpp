#pragma once
// Catch2 v2 (Debian) or v3 (vcpkg): the tests use only what both have.
#if __has_include(<catch2/catch_test_macros.hpp>)
  #include <catch2/catch_session.hpp>
  #include <catch2/catch_test_macros.hpp>
  #include <catch2/generators/catch_generators.hpp>
  #include <catch2/matchers/catch_matchers_string.hpp>
#else
  #include <catch2/catch.hpp>
#endif
