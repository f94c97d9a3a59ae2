#pragma once
// The seeds print Python values such as [1, 'str', None] or {'1': 2, 3.0: None}; these helpers
// print the C++ counterparts the way Python's repr() would.
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "python_float.hpp"

using SeedList = std::tuple<int, std::string, std::optional<int>>;

inline std::string python_repr(const SeedList& v) {
  const auto& [number, text, none] = v;
  return "[" + std::to_string(number) + ", '" + text + "', " +
         (none ? std::to_string(*none) : std::string("None")) + "]";
}

// Scalars: None, int, float (shortest round-trip text, 3.0 not 3), str.
inline std::string python_repr(std::monostate) { return "None"; }
inline std::string python_repr(int v) { return std::to_string(v); }
inline std::string python_repr(double v) { return python_float(v); }
/// Python quotes with '...' unless the text holds a ' and no "; other escapes are left out.
inline std::string python_repr(const std::string& s) {
  bool use_double = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  char quote = use_double ? '"' : '\'';
  return quote + s + quote;
}

// The containers are declared first so that each can print the others nested inside it.
template <class... T>
std::string python_repr(const std::variant<T...>& v);
template <class A, class B>
std::string python_repr(const std::pair<A, B>& p);
template <class T>
std::string python_repr(const std::vector<T>& v);

/// A variant prints as the value it holds (std::monostate as None).
template <class... T>
std::string python_repr(const std::variant<T...>& v) {
  return std::visit([](const auto& x) { return python_repr(x); }, v);
}

/// A pair prints as a tuple: ('num', 100).
template <class A, class B>
std::string python_repr(const std::pair<A, B>& p) {
  return "(" + python_repr(p.first) + ", " + python_repr(p.second) + ")";
}

/// A vector prints as a list: [0, -1, -2].
template <class T>
std::string python_repr(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + python_repr(v[i]);
  return out + "]";
}

/// (key, value) pairs in insertion order (DictProxy::items()) print as a dict: {'1': 2}.
template <class K, class V>
std::string python_dict(const std::vector<std::pair<K, V>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + python_repr(items[i].first) + ": " + python_repr(items[i].second);
  return out + "}";
}
