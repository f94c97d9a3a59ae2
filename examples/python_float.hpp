#pragma once
// Python prints a float as the shortest text that reads back to the same value (3.1415927,
// not 3.1415926999999999); std::to_chars does the same.
#include <charconv>
#include <string>

inline std::string python_float(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // Python writes 0.0, not 0
  return s;
}

template <class Range>
std::string python_list(const Range& r) {
  std::string out = "[";
  bool first = true;
  for (const auto& x : r) {
    if (!first) out += ", ";
    out += std::to_string(x);
    first = false;
  }
  return out + "]";
}
