// Readable type names (see mproc/detail/type_name.hpp). The demangler gives the ABI's spelling;
// this rewrites it bottom-up: each template's arguments are rewritten first, then the
// template's trailing arguments are compared with its defaults, spelled the same rewritten way.
#include "mproc/detail/type_name.hpp"

#include <cstring>
#include <optional>
#include <vector>

#include "mproc/platform/demangle.hpp"

namespace mproc::detail {
namespace {

using Args = std::vector<std::string>;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Without surrounding spaces and without MSVC's elaborated-type keywords ("class std::...").
std::string clean(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  for (std::string_view keyword : {"class ", "struct ", "union ", "enum "}) {
    if (starts_with(s, keyword) && s.size() > keyword.size()) return clean(s.substr(keyword.size()));
  }
  return std::string(s);
}

// `std::__cxx11::list` -> `std::list`: the inline namespaces of libstdc++'s new ABI and of
// libc++. Only at the start of a qualified name, so a user's `a::std::__1::x` is left alone.
std::string without_inline_namespace(std::string_view name) {
  for (std::string_view ns : {"std::__cxx11::", "std::__1::"}) {
    if (starts_with(name, ns)) return "std::" + std::string(name.substr(ns.size()));
  }
  return std::string(name);
}

std::string of(std::string_view tmpl, std::string_view arg) {
  return std::string(tmpl) + "<" + std::string(arg) + ">";
}

bool is_any(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (name == n) return true;
  return false;
}

// Whether `a[i]` is what template `name` would use if it were left out.
bool is_default(std::string_view name, std::size_t i, const Args& a) {
  const std::string& t = a[0];
  // A map's allocator holds pair<const K, V>; demanglers write the const after or before.
  auto map_allocator = [&] {
    return a[i] == of("std::allocator", of("std::pair", t + " const, " + a[1])) ||
           a[i] == of("std::allocator", of("std::pair", "const " + t + ", " + a[1]));
  };
  if (is_any(name, {"std::vector", "std::deque", "std::list", "std::forward_list"}))
    return i == 1 && a[i] == of("std::allocator", t);
  if (is_any(name, {"std::set", "std::multiset"}))
    return (i == 1 && a[i] == of("std::less", t)) || (i == 2 && a[i] == of("std::allocator", t));
  if (is_any(name, {"std::map", "std::multimap"}))
    return (i == 2 && a[i] == of("std::less", t)) || (i == 3 && map_allocator());
  if (is_any(name, {"std::unordered_set", "std::unordered_multiset"}))
    return (i == 1 && a[i] == of("std::hash", t)) || (i == 2 && a[i] == of("std::equal_to", t)) ||
           (i == 3 && a[i] == of("std::allocator", t));
  if (is_any(name, {"std::unordered_map", "std::unordered_multimap"}))
    return (i == 2 && a[i] == of("std::hash", t)) || (i == 3 && a[i] == of("std::equal_to", t)) ||
           (i == 4 && map_allocator());
  if (name == "std::basic_string")
    return (i == 1 && a[i] == of("std::char_traits", t)) || (i == 2 && a[i] == of("std::allocator", t));
  if (name == "std::basic_string_view") return i == 1 && a[i] == of("std::char_traits", t);
  if (is_any(name, {"std::queue", "std::stack"})) return i == 1 && a[i] == of("std::deque", t);
  // The comparator's default is less<Container::value_type>: certain only for the default container.
  if (name == "std::priority_queue")
    return (i == 1 && a[i] == of("std::vector", t)) ||
           (i == 2 && a[1] == of("std::vector", t) && a[i] == of("std::less", t));
  if (name == "std::unique_ptr") return i == 1 && a[i] == of("std::default_delete", t);
  return false;
}

// `name<args>` with default arguments dropped and the string typedefs used.
std::string simplified(const std::string& name, Args args) {
  while (args.size() > 1 && is_default(name, args.size() - 1, args)) args.pop_back();
  if (args.size() == 1 && (name == "std::basic_string" || name == "std::basic_string_view")) {
    const char* suffix = name == "std::basic_string" ? "string" : "string_view";
    const std::string& c = args[0];
    if (c == "char") return std::string("std::") + suffix;
    if (c == "wchar_t") return std::string("std::w") + suffix;
    if (c == "char8_t") return std::string("std::u8") + suffix;
    if (c == "char16_t") return std::string("std::u16") + suffix;
    if (c == "char32_t") return std::string("std::u32") + suffix;
  }
  std::string out = name + "<";
  for (std::size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
  return out + ">";
}

// A recursive-descent pass over the demangled text. It understands only what it must: names,
// template argument lists, and balanced (), [] and {} (function types, arrays, lambdas,
// "(anonymous namespace)"); everything else is copied. nullopt: the brackets do not balance.
class Rewriter {
 public:
  explicit Rewriter(std::string_view s) : s_(s) {}

  std::optional<std::string> run() {
    auto out = sequence('\0');
    if (!out || pos_ != s_.size()) return std::nullopt;
    return out;
  }

 private:
  // Text up to `close` (left unconsumed); inside a template argument list (`close` is '>')
  // also up to a ',' at this level.
  std::optional<std::string> sequence(char close) {
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == close || (close == '>' && c == ',')) return out;
      if (is_name_char(c) || c == ':') {
        if (!name(out)) return std::nullopt;
      } else if (c == '(' || c == '[' || c == '{') {
        char end = c == '(' ? ')' : c == '[' ? ']' : '}';
        ++pos_;
        auto inner = sequence(end);
        if (!inner || pos_ >= s_.size()) return std::nullopt;
        ++pos_;
        out += c + *inner + end;
      } else if (std::strchr("<>)]}", c) != nullptr) {
        return std::nullopt;  // A bracket that closes nothing we opened.
      } else {
        out += c;
        ++pos_;
      }
    }
    if (close != '\0') return std::nullopt;
    return out;
  }

  // A qualified name, with its template arguments if any.
  bool name(std::string& out) {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (is_name_char(s_[pos_]) || s_[pos_] == ':')) ++pos_;
    std::string id = without_inline_namespace(s_.substr(start, pos_ - start));
    if (id == "operator" || ends_with(id, "::operator")) operator_symbol(id);
    if (pos_ >= s_.size() || s_[pos_] != '<') {
      out += id;
      return true;
    }
    ++pos_;
    Args args;
    for (;;) {
      auto arg = sequence('>');
      if (!arg || pos_ >= s_.size()) return false;
      args.push_back(clean(*arg));
      if (s_[pos_++] == '>') break;
    }
    out += simplified(id, std::move(args));
    return true;
  }

  // "operator<", "operator()", "operator->": brackets that belong to the name. A template
  // operator's arguments follow after a space ("operator<< <int>").
  void operator_symbol(std::string& id) {
    std::string_view rest = s_.substr(pos_);
    std::size_t n = 0;
    if (starts_with(rest, "()") || starts_with(rest, "[]")) {
      n = 2;
    } else {
      while (n < rest.size() && std::strchr("+-*/%^&|~!=<>", rest[n]) != nullptr) ++n;
    }
    id += rest.substr(0, n);
    pos_ += n;
    if (n > 0 && s_.substr(pos_, 2) == " <") {
      id += ' ';
      ++pos_;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string readable_type_name(std::string_view demangled) {
  auto rewritten = Rewriter(demangled).run();
  return rewritten ? clean(*rewritten) : std::string(demangled);
}

std::string type_name(const std::type_info& type) {
  return readable_type_name(platform::demangle(type.name()));
}

}  // namespace mproc::detail
