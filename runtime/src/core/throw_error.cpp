#include "core/throw_error.hpp"

#include "mproc/errors.hpp"

namespace mproc::detail {

void throw_system_error(std::error_code ec, const std::string& what) { throw SystemError(ec, what); }

}  // namespace mproc::detail
