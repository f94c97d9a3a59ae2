#pragma once
// Everything that crosses a process boundary is serialized with cereal's binary archives.
// User types add a `serialize` member (or cereal's free functions); the standard types below
// work out of the box.
#include <cereal/archives/binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/chrono.hpp>
#include <cereal/types/complex.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "mproc/detail/input_archive.hpp"
#include "mproc/errors.hpp"

namespace mproc {
namespace detail {

// Whether T can be written and read by cereal's binary archives. cereal's own traits answer
// "yes" for any container, whatever its elements, and for raw pointers (then fail with a
// static_assert), so containers and pointers are looked into here.
template <class T, class = void>
struct transferable
    : std::bool_constant<
          std::is_arithmetic_v<T> || std::is_enum_v<T> ||
          (cereal::traits::is_output_serializable<T, cereal::BinaryOutputArchive>::value &&
           cereal::traits::is_input_serializable<T, wire::InputArchive>::value)> {};
template <class T>
struct transferable<T*> : std::false_type {};
template <class T>
struct transferable<T&> : std::false_type {};
template <class... T>
struct transferable<std::tuple<T...>> : std::conjunction<transferable<T>...> {};
template <class A, class B>
struct transferable<std::pair<A, B>> : std::conjunction<transferable<A>, transferable<B>> {};
template <class T, class Alloc>
struct transferable<std::vector<T, Alloc>> : transferable<T> {};
template <class T, std::size_t N>
struct transferable<std::array<T, N>> : transferable<T> {};
template <class T>
struct transferable<std::optional<T>> : transferable<T> {};
template <class K, class V, class C, class A>
struct transferable<std::map<K, V, C, A>> : std::conjunction<transferable<K>, transferable<V>> {};
template <class K, class V, class H, class E, class A>
struct transferable<std::unordered_map<K, V, H, E, A>>
    : std::conjunction<transferable<K>, transferable<V>> {};
template <class T, class C, class A>
struct transferable<std::set<T, C, A>> : transferable<T> {};
template <class T, class A>
struct transferable<std::deque<T, A>> : transferable<T> {};
template <class T, class A>
struct transferable<std::list<T, A>> : transferable<T> {};
template <class T>
struct transferable<std::shared_ptr<T>> : transferable<T> {};
template <class T, class D>
struct transferable<std::unique_ptr<T, D>> : transferable<T> {};
template <class... T>
struct transferable<std::variant<T...>> : std::conjunction<transferable<T>...> {};

}  // namespace detail

/// Whether values of type T can be sent to another process.
template <class T>
inline constexpr bool is_transferable_v = detail::transferable<std::remove_cv_t<T>>::value;

namespace wire {

/// A streambuf that appends to a std::string: cereal writes straight into the result,
/// without ostringstream's extra copy.
class string_sink : public std::streambuf {
 public:
  explicit string_sink(std::string& out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }

 private:
  std::string& out_;
};

/// Serializes `value`, appending to `out`.
template <class T>
void save_into(std::string& out, const T& value) {
  string_sink sink(out);
  std::ostream stream(&sink);
  cereal::BinaryOutputArchive archive(stream);
  archive(value);
}

/// Serializes `value` into a byte string.
template <class T>
std::string save(const T& value) {
  std::string out;
  save_into(out, value);
  return out;
}

/// Deserializes `value` from `bytes`; a short, malformed or oversized payload is a
/// SerializationError.
template <class T>
void load(std::string_view bytes, T& value) {
  try {
    InputArchive archive(bytes);
    archive(value);
  } catch (const cereal::Exception& e) {
    throw SerializationError(std::string("cannot decode a message: ") + e.what() +
                             " (the data is truncated or of another type than expected)");
  } catch (const std::length_error&) {
    throw SerializationError("cannot decode a message: a length in it is impossible");
  } catch (const std::bad_alloc&) {
    throw SerializationError("cannot decode a message: a length in it is too large to allocate");
  }
}

}  // namespace wire
}  // namespace mproc
