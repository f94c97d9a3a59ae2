#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

void do_nothing() {}
void exit_with(int code) { mproc::exit(code); }
void throw_runtime_error(std::string message) { throw std::runtime_error(message); }

}  // namespace

TEST_CASE("process_exit_code_zero_on_return", "[process]") {
  mproc::Process p(do_nothing);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("process_exit_code_from_mproc_exit", "[process]") {
  mproc::Process p(exit_with, 7);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 7);
}

TEST_CASE("process_exit_code_one_on_uncaught_exception", "[process]") {
  mproc::Process p(throw_runtime_error, std::string("boom"));
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 1);
}
