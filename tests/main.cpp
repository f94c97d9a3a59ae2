// The test binary is its own spawn child: `mproc::init` first, as in every mproc program
// (libuv's test runner and procspawn do the same).
#define CATCH_CONFIG_RUNNER
#include <cstdlib>
#include <string>

#include "catch.hpp"
#include "mproc/mproc.hpp"

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  // ctest runs the suite once per start method (see tests/CMakeLists.txt).
  if (const char* method = std::getenv("MPROC_TEST_START_METHOD"); method && *method)
    mproc::set_start_method(method);
  return Catch::Session().run(argc, argv);
}
