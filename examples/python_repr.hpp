#pragma once
// The seeds print Python lists such as [1, 'str', None]; these examples send the same list as
// a C++ tuple and print it the way Python would.
#include <optional>
#include <string>
#include <tuple>

using SeedList = std::tuple<int, std::string, std::optional<int>>;

inline std::string python_repr(const SeedList& v) {
  const auto& [number, text, none] = v;
  return "[" + std::to_string(number) + ", '" + text + "', " +
         (none ? std::to_string(*none) : std::string("None")) + "]";
}
