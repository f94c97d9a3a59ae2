#pragma once
// What makes an mproc object printable: a `repr()` member giving Python's `repr()` text. Every
// such object streams with `<<` (this header) and formats with fmt/spdlog (mproc/format.hpp).
// Small on purpose: every public class header includes it.
#include <concepts>
#include <ostream>
#include <string>

namespace mproc {
namespace detail {

template <class T>
concept has_repr_member = requires(const T& v) {
  { v.repr() } -> std::convertible_to<std::string>;
};

}  // namespace detail

/// `std::cout << process` prints what Python's `print(process)` shows. Found by argument-
/// dependent lookup for mproc's classes and for user classes derived from them
/// (`ProcessClass<Consumer>` prints as `<Consumer name='Consumer-1' ...>`).
template <detail::has_repr_member T>
std::ostream& operator<<(std::ostream& os, const T& object) {
  return os << object.repr();
}

}  // namespace mproc
