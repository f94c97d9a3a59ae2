// Errors name types as people write them (`std::string`, not
// `std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >`), and the
// same names tag Connection messages, so they must still tell every two types apart.
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mproc/detail/type_name.hpp"
#include "support.hpp"

// In a named namespace: an anonymous one is spelled differently by each compiler's type_info.
namespace type_name_test {

// A distinct allocator type: a container that uses it is a different type and must say so.
template <class T>
struct CountingAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = CountingAllocator<U>;
  };
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) {}
};

struct Descending {
  bool operator()(int a, int b) const { return a > b; }
};

}  // namespace type_name_test

namespace {

using mproc::detail::readable_type_name;
using mproc::detail::type_name;
using type_name_test::CountingAllocator;
using type_name_test::Descending;

// `recv<int>()` of a message sent as `T`: the SerializationError's text.
template <class T>
std::string mismatch_message(const T& sent) {
  auto [a, b] = mproc::Pipe();
  a.send(sent);
  std::string what;
  try {
    (void)b.recv<int>();
  } catch (const mproc::SerializationError& e) {
    what = e.what();
  }
  // The message was kept for a recv of the right type.
  CHECK(b.recv<T>() == sent);
  return what;
}

}  // namespace

TEST_CASE("type_names_read_as_written", "[type_name]") {
  CHECK(type_name(typeid(std::string)) == "std::string");
  CHECK(type_name(typeid(std::wstring)) == "std::wstring");
  CHECK(type_name(typeid(std::vector<std::string>)) == "std::vector<std::string>");
  CHECK(type_name(typeid(std::vector<std::vector<std::string>>)) ==
        "std::vector<std::vector<std::string>>");
  CHECK(type_name(typeid(std::map<std::string, int>)) == "std::map<std::string, int>");
  CHECK(type_name(typeid(std::map<std::string, std::vector<int>>)) ==
        "std::map<std::string, std::vector<int>>");
  CHECK(type_name(typeid(std::unordered_map<std::string, int>)) ==
        "std::unordered_map<std::string, int>");
  CHECK(type_name(typeid(std::set<std::string>)) == "std::set<std::string>");
  CHECK(type_name(typeid(std::deque<int>)) == "std::deque<int>");
  CHECK(type_name(typeid(std::list<std::string>)) == "std::list<std::string>");
  CHECK(type_name(typeid(std::optional<std::string>)) == "std::optional<std::string>");
  CHECK(type_name(typeid(std::pair<int, std::string>)) == "std::pair<int, std::string>");
  CHECK(type_name(typeid(std::tuple<int, std::string, double>)) ==
        "std::tuple<int, std::string, double>");
  CHECK(type_name(typeid(std::unique_ptr<int>)) == "std::unique_ptr<int>");
}

TEST_CASE("type_names_keep_arguments_that_are_not_defaults", "[type_name]") {
  CHECK(type_name(typeid(std::vector<int, CountingAllocator<int>>)) ==
        "std::vector<int, type_name_test::CountingAllocator<int>>");
  CHECK(type_name(typeid(std::set<int, Descending>)) ==
        "std::set<int, type_name_test::Descending>");
  // Distinct types, distinct names: the names are the wire tags of Connection messages.
  std::set<std::string> names = {
      type_name(typeid(std::vector<int>)),
      type_name(typeid(std::vector<int, CountingAllocator<int>>)),
      type_name(typeid(std::set<int>)),
      type_name(typeid(std::set<int, Descending>)),
      type_name(typeid(std::map<int, int>)),
      type_name(typeid(std::map<int, int, std::greater<int>>)),
      type_name(typeid(std::multimap<int, int>)),
      type_name(typeid(std::string)),
      type_name(typeid(std::wstring)),
      type_name(typeid(std::basic_string<char, std::char_traits<char>, CountingAllocator<char>>)),
  };
  CHECK(names.size() == 10);
}

TEST_CASE("readable_type_name_rewrites_demangler_output", "[type_name]") {
  // As GCC's demangler (Linux and mingw) spells them, independent of the compiler running this.
  const std::string str = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
  CHECK(readable_type_name(str) == "std::string");
  CHECK(readable_type_name("std::vector<std::vector<" + str + ", std::allocator<" + str +
                           " > >, std::allocator<std::vector<" + str + ", std::allocator<" + str +
                           " > > > >") == "std::vector<std::vector<std::string>>");
  CHECK(readable_type_name("std::map<" + str + ", std::vector<int, std::allocator<int> >, std::less<" +
                           str + " >, std::allocator<std::pair<" + str +
                           " const, std::vector<int, std::allocator<int> > > > >") ==
        "std::map<std::string, std::vector<int>>");
  CHECK(readable_type_name("std::vector<int, my::Alloc<int> >") == "std::vector<int, my::Alloc<int>>");
  // A non-default comparator stays, and so does the (default) allocator after it.
  CHECK(readable_type_name("std::map<int, int, my::Less, std::allocator<std::pair<int const, int> > >") ==
        "std::map<int, int, my::Less>");
  CHECK(readable_type_name("std::unordered_map<int, int, std::hash<int>, std::equal_to<int>, "
                           "std::allocator<std::pair<int const, int> > >") ==
        "std::unordered_map<int, int>");
  CHECK(readable_type_name("std::__cxx11::basic_string<wchar_t, std::char_traits<wchar_t>, "
                           "std::allocator<wchar_t> >") == "std::wstring");
  CHECK(readable_type_name("std::__cxx11::basic_string<char, std::char_traits<char>, my::Alloc<char> >") ==
        "std::basic_string<char, std::char_traits<char>, my::Alloc<char>>");
  // libc++ and MSVC spellings.
  CHECK(readable_type_name("std::__1::vector<int, std::__1::allocator<int> >") == "std::vector<int>");
  CHECK(readable_type_name("class std::map<int,int,struct std::less<int>,class "
                           "std::allocator<struct std::pair<int const ,int> > >") == "std::map<int, int>");
  // Function types, lambdas, operators and a user's own `std` inside another namespace.
  CHECK(readable_type_name("std::function<void (" + str + " const&)>") ==
        "std::function<void (std::string const&)>");
  CHECK(readable_type_name("main::{lambda(int)#1}") == "main::{lambda(int)#1}");
  CHECK(readable_type_name("std::vector<(anonymous namespace)::Y, std::allocator<(anonymous "
                           "namespace)::Y> >") == "std::vector<(anonymous namespace)::Y>");
  CHECK(readable_type_name("S<operator<< <int> >") == "S<operator<< <int>>");
  CHECK(readable_type_name("a::std::__cxx11::list<int>") == "a::std::__cxx11::list<int>");
  // What it cannot parse comes back as it was.
  CHECK(readable_type_name("broken<int") == "broken<int");
  CHECK(readable_type_name("broken>") == "broken>");
}

TEST_CASE("recv_of_the_wrong_type_names_types_as_written", "[type_name][pipe]") {
  std::string what = mismatch_message(std::string("hello"));
  CHECK(what.find("std::string") != std::string::npos);
  CHECK(what.find("basic_string") == std::string::npos);

  what = mismatch_message(std::vector<std::string>{"a", "b"});
  CHECK(what.find("std::vector<std::string>") != std::string::npos);
  CHECK(what.find("allocator") == std::string::npos);

  what = mismatch_message(std::map<std::string, int>{{"a", 1}});
  CHECK(what.find("std::map<std::string, int>") != std::string::npos);
  CHECK(what.find("basic_string") == std::string::npos);
  CHECK(what.find("std::less") == std::string::npos);
}
