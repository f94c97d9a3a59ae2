#pragma once
// fmt and spdlog format mproc's objects as Python prints them:
//
//     spdlog::info("started {}", process);   // started <Process name='Process-1' pid=123 ...>
//
// A separate header because it includes fmt, which mproc.hpp does not; spdlog's <fmt/fmt.h>
// picks the fmt spdlog was built with (bundled or external).
#include <string_view>

#include <spdlog/fmt/fmt.h>

#include "mproc/detail/printable.hpp"

template <mproc::detail::has_repr_member T>
struct fmt::formatter<T> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const T& object, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(object.repr(), ctx);
  }
};
