#pragma once
// Python's `get(block=True, timeout=None)` and `acquire(block=True, timeout=None)` take `block`
// first. In C++ a number passed there converts to `bool` without a word: `q.get(5.0)` and
// `lock.acquire(5)` would mean "block, forever" and drop the 5 that was meant as a timeout.
// Each such method therefore has an overload for numbers other than `bool` that stops the
// build with a static_assert saying what to write instead. Integers are refused too, so
// `acquire(0)`/`acquire(1)` (Python's spelling of False/True) become `acquire(false)` /
// `acquire(true)`, which cannot be mistaken for a timeout of 0 or 1 seconds.
//
// A static_assert rather than `= delete`: only the assertion can carry a message before C++26.
// The price is that `requires { q.get(5.0); }` still holds (the overload exists; its body is
// what fails), so tests/compile_fail/ proves the refusal by compiling each call.
#include <type_traits>

namespace mproc::detail {

/// A first argument that would silently become `bool block`: a number or enum, not a bool.
template <class T>
concept mistaken_block_argument =
    (std::is_arithmetic_v<T> || std::is_enum_v<T>) && !std::is_same_v<T, bool>;

/// False for every `T`, so a static_assert on it fires only when its template is used.
template <class T>
inline constexpr bool refused_block_argument = false;

}  // namespace mproc::detail
