#pragma once
// `mproc::repr(x)`: the text Python's `repr()` gives for the C++ twin of a Python value, and for
// mproc's objects. Ports that print values keep Python's output:
//
//     mproc::repr(std::vector<int>{0, 1, 4})                     // [0, 1, 4]
//     mproc::repr(std::map<int, std::string>{{1, "1"}})          // {1: '1'}
//     mproc::repr(std::tuple<int, std::string, std::monostate>{}) // (0, '', None)
//     mproc::repr(lock)                                           // <Lock(owner=None)>
//
// None is std::monostate or an empty std::optional; bool prints True/False; a float prints as
// the shortest text that reads back (3.0, 0.1); a string is quoted and escaped as Python does.
// A user type prints if it has a `std::string repr() const` member.
#include <array>
#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "mproc/detail/printable.hpp"

namespace mproc {

namespace detail {
std::string repr_float(double v);
std::string repr_text(std::string_view text);
std::string repr_char(char c);
}  // namespace detail

// ---- scalars
inline std::string repr(std::monostate) { return "None"; }
inline std::string repr(std::nullopt_t) { return "None"; }
inline std::string repr(std::nullptr_t) { return "None"; }
inline std::string repr(bool v) { return v ? "True" : "False"; }
inline std::string repr(char c) { return detail::repr_char(c); }
template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>)
std::string repr(T v) {
  return std::to_string(v);
}
template <class T>
  requires std::is_floating_point_v<T>
std::string repr(T v) {
  return detail::repr_float(static_cast<double>(v));
}
inline std::string repr(std::string_view s) { return detail::repr_text(s); }
inline std::string repr(const std::string& s) { return detail::repr_text(s); }
inline std::string repr(const char* s) { return detail::repr_text(s); }
/// Python's repr of `bytes`: b'hello', with \xNN for bytes outside printable ASCII (a C++
/// string holds text and bytes alike, so this is asked for by name: `print(arr.value)` of a
/// char array is `std::cout << mproc::repr_bytes(arr.value())`).
std::string repr_bytes(std::string_view bytes);

/// mproc objects and user types with a `repr()` member.
template <detail::has_repr_member T>
std::string repr(const T& object) {
  return object.repr();
}

// ---- containers: all declared before any is defined, so that each prints the others nested.
template <class T>
std::string repr(const std::optional<T>& v);
template <class... T>
std::string repr(const std::variant<T...>& v);
template <class A, class B>
std::string repr(const std::pair<A, B>& p);
template <class... T>
std::string repr(const std::tuple<T...>& t);
template <class T, class A>
std::string repr(const std::vector<T, A>& v);
template <class T, std::size_t N>
std::string repr(const std::array<T, N>& v);
template <class T, class A>
std::string repr(const std::deque<T, A>& v);
template <class T, class A>
std::string repr(const std::list<T, A>& v);
template <class T, class C, class A>
std::string repr(const std::set<T, C, A>& v);
template <class T, class H, class E, class A>
std::string repr(const std::unordered_set<T, H, E, A>& v);
template <class K, class V, class C, class A>
std::string repr(const std::map<K, V, C, A>& m);
template <class K, class V, class H, class E, class A>
std::string repr(const std::unordered_map<K, V, H, E, A>& m);

namespace detail {
template <class Range>
std::string repr_sequence(const Range& r, const char* open, const char* close) {
  std::string out = open;
  bool first = true;
  for (const auto& x : r) {
    if (!first) out += ", ";
    out += repr(x);
    first = false;
  }
  return out + close;
}
template <class Map>
std::string repr_mapping(const Map& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    out += repr(k) + ": " + repr(v);
    first = false;
  }
  return out + "}";
}
}  // namespace detail

/// An empty optional is None.
template <class T>
std::string repr(const std::optional<T>& v) {
  return v ? repr(*v) : std::string("None");
}
/// A variant prints as the value it holds.
template <class... T>
std::string repr(const std::variant<T...>& v) {
  return std::visit([](const auto& x) { return repr(x); }, v);
}
/// Pairs and tuples print as tuples: ('num', 100), (1,), ().
template <class A, class B>
std::string repr(const std::pair<A, B>& p) {
  return "(" + repr(p.first) + ", " + repr(p.second) + ")";
}
template <class... T>
std::string repr(const std::tuple<T...>& t) {
  std::string out = "(";
  std::apply(
      [&out](const auto&... x) {
        std::size_t i = 0;
        ((out += (i++ ? ", " : "") + repr(x)), ...);
      },
      t);
  return out + (sizeof...(T) == 1 ? ",)" : ")");
}
/// Sequences print as lists.
template <class T, class A>
std::string repr(const std::vector<T, A>& v) {
  return detail::repr_sequence(v, "[", "]");
}
template <class T, std::size_t N>
std::string repr(const std::array<T, N>& v) {
  return detail::repr_sequence(v, "[", "]");
}
template <class T, class A>
std::string repr(const std::deque<T, A>& v) {
  return detail::repr_sequence(v, "[", "]");
}
template <class T, class A>
std::string repr(const std::list<T, A>& v) {
  return detail::repr_sequence(v, "[", "]");
}
/// Sets print as sets; the empty one as set().
template <class T, class C, class A>
std::string repr(const std::set<T, C, A>& v) {
  return v.empty() ? "set()" : detail::repr_sequence(v, "{", "}");
}
template <class T, class H, class E, class A>
std::string repr(const std::unordered_set<T, H, E, A>& v) {
  return v.empty() ? "set()" : detail::repr_sequence(v, "{", "}");
}
/// Maps print as dicts.
template <class K, class V, class C, class A>
std::string repr(const std::map<K, V, C, A>& m) {
  return detail::repr_mapping(m);
}
template <class K, class V, class H, class E, class A>
std::string repr(const std::unordered_map<K, V, H, E, A>& m) {
  return detail::repr_mapping(m);
}

}  // namespace mproc
