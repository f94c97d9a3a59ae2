// get_context: a context makes pools as well as processes, so it lives above both.
#include "mproc/context.hpp"

namespace mproc {

Context get_context(std::string_view method) {
  if (method.empty()) return Context(get_start_method());
  return Context(detail::checked_start_method(method));
}

}  // namespace mproc
