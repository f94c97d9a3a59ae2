// How a Namespace proxy prints (`Namespace(x=1, y='a')`): the server holds each attribute as a
// type name and bytes, so the client prints the bytes with a printer registered for the type.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "mproc/manager_proxies.hpp"

namespace mproc {
namespace detail {
namespace {

struct Printers {
  std::mutex mutex;
  std::map<std::string, blob_printer> by_type;
};

template <class T>
void add_common(std::map<std::string, blob_printer>& table) {
  table[type_name_of<T>()] = [](const std::string& blob) { return mproc::repr(decode<T>(blob)); };
}

Printers& printers() {
  // Leaked on purpose: printing may happen while other statics are being destroyed.
  static Printers* p = [] {
    auto* made = new Printers;
    add_common<bool>(made->by_type);
    add_common<int>(made->by_type);
    add_common<unsigned>(made->by_type);
    add_common<long>(made->by_type);
    add_common<unsigned long>(made->by_type);
    add_common<long long>(made->by_type);
    add_common<unsigned long long>(made->by_type);
    add_common<float>(made->by_type);
    add_common<double>(made->by_type);
    add_common<std::string>(made->by_type);
    return made;
  }();
  return *p;
}

}  // namespace

void register_blob_printer(const std::string& type, blob_printer printer) {
  Printers& p = printers();
  std::lock_guard lock(p.mutex);
  p.by_type[type] = printer;
}

std::string print_blob(const std::string& type, const std::string& blob) {
  blob_printer printer = nullptr;
  {
    Printers& p = printers();
    std::lock_guard lock(p.mutex);
    auto found = p.by_type.find(type);
    if (found != p.by_type.end()) printer = found->second;
  }
  if (!printer) return "<" + type + ">";
  try {
    return printer(blob);
  } catch (const Error&) {
    return "<" + type + ": unreadable>";  // printing never throws for a bad value
  }
}

}  // namespace detail

std::string NamespaceProxy::repr() const {
  if (!bound()) return "<NamespaceProxy (unbound)>";
  auto triples = call_as<std::vector<std::string>>("__vars__");
  std::string out = "Namespace(";
  for (std::size_t i = 0; i + 2 < triples.size(); i += 3) {
    if (i) out += ", ";
    out += triples[i] + "=" + detail::print_blob(triples[i + 1], triples[i + 2]);
  }
  return out + ")";
}

}  // namespace mproc
