#pragma once
// How mproc names C++ types, in error messages and in the type tags that Connection messages
// and manager calls carry: as people write them (`std::string`, `std::map<int, std::string>`),
// not as the ABI spells them (`std::__cxx11::basic_string<char, std::char_traits<char>, ...>`).
#include <string>
#include <string_view>
#include <typeinfo>

namespace mproc::detail {

/// The readable name of `type`: `readable_type_name` of its demangled name. It doubles as the
/// wire tag that tells message types apart; both ends of a connection run the same build, so
/// they compute the same tag, and distinct types keep distinct names (see below).
std::string type_name(const std::type_info& type);

/// Rewrites a demangled type name the way people write it:
/// - the library's inline namespaces go (`std::__cxx11::`, libc++'s `std::__1::` become `std::`);
/// - template arguments equal to their defaults are dropped from the end of the list
///   (`std::allocator<T>`, `std::char_traits<C>`, `std::less<K>`, `std::hash<K>`,
///   `std::equal_to<K>`, `std::default_delete<T>`, a queue's `std::deque<T>`); any other
///   argument stays, so `std::vector<int, MyAlloc<int>>` keeps its allocator and two
///   different types never get the same name;
/// - `std::basic_string<char>` is `std::string` (likewise wstring, u8/u16/u32string and the
///   string_views);
/// - spacing is normalised (`std::pair<int const, int>`, `>>`), and MSVC's `class `/`struct `
///   prefixes go.
/// A name it cannot parse (unbalanced brackets) comes back unchanged.
std::string readable_type_name(std::string_view demangled);

/// `type_name(typeid(T))`, worked out once per type: it tags every message and manager call.
template <class T>
const std::string& type_name_of() {
  static const std::string name = type_name(typeid(T));
  return name;
}

}  // namespace mproc::detail
