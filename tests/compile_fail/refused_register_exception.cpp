// register_exception<E>() with a type that cannot travel: refused with mproc's message. See
// CMakeLists.txt here.
#include <mproc/mproc.hpp>

#include <stdexcept>

namespace {
struct NotAnException {};
// No serialize member, no constructor from a string, no default constructor.
struct NotRebuildable : std::runtime_error {
  explicit NotRebuildable(int code) : std::runtime_error("code " + std::to_string(code)) {}
};
}  // namespace

void refused() {
#if defined(REFUSED_register_exception_not_an_exception)
  mproc::register_exception<NotAnException>();
#elif defined(REFUSED_register_exception_not_rebuildable)
  mproc::register_exception<NotRebuildable>();
#endif
}
