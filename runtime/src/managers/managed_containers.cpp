// The builtin container kinds of a manager: dict, list, Array, Namespace, Value. Elements are
// the encoded bytes clients sent; equal values encode to equal bytes, which is what key lookup,
// `index`, `count` and `remove` compare.
#include <algorithm>
#include <list>
#include <map>
#include <unordered_map>

#include "managers/managed_object.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {
namespace {

std::string encoded(bool value) { return wire::save(value); }
std::string encoded_size(std::size_t value) { return wire::save(static_cast<std::uint64_t>(value)); }

class ManagedDict final : public ManagedObject {
 public:
  explicit ManagedDict(std::vector<std::string>& pairs) { update(pairs); }

  std::string call(CallContext&, std::string_view method, std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    if (method == "__setitem__") {
      set(argument(args, 0, "dict", method), std::move(argument(args, 1, "dict", method)));
      return {};
    }
    if (method == "__getitem__") return find_or_throw(argument(args, 0, "dict", method))->second;
    if (method == "get") {
      auto it = index_.find(argument(args, 0, "dict", method));
      return wire::save(it == index_.end() ? std::optional<std::string>()
                                           : std::optional<std::string>(it->second->second));
    }
    if (method == "__contains__") return encoded(index_.count(argument(args, 0, "dict", method)) > 0);
    if (method == "__delitem__") {
      erase(find_or_throw(argument(args, 0, "dict", method)));
      return {};
    }
    if (method == "__len__") return encoded_size(entries_.size());
    if (method == "clear") {
      entries_.clear();
      index_.clear();
      return {};
    }
    if (method == "items" || method == "keys" || method == "values") return listing(method);
    if (method == "pop") {
      auto it = find_or_throw(argument(args, 0, "dict", method));
      std::string value = std::move(it->second);
      erase(it);
      return value;
    }
    if (method == "pop_or_none") {
      auto found = index_.find(argument(args, 0, "dict", method));
      if (found == index_.end()) return wire::save(std::optional<std::string>());
      std::optional<std::string> value = std::move(found->second->second);
      erase(found->second);
      return wire::save(value);
    }
    if (method == "popitem") {
      if (entries_.empty()) throw KeyError("popitem(): dictionary is empty");
      auto last = std::prev(entries_.end());
      std::vector<std::string> pair{last->first, std::move(last->second)};
      erase(last);
      return wire::save(pair);
    }
    if (method == "setdefault") {
      const std::string& key = argument(args, 0, "dict", method);
      auto found = index_.find(key);
      if (found != index_.end()) return found->second->second;
      std::string value = argument(args, 1, "dict", method);
      set(key, value);
      return value;
    }
    if (method == "update") {
      update(args);
      return {};
    }
    no_such_method("dict", method);
  }

 private:
  using Entries = std::list<std::pair<std::string, std::string>>;

  void set(const std::string& key, std::string value) {
    auto found = index_.find(key);
    if (found != index_.end()) {
      found->second->second = std::move(value);
      return;
    }
    entries_.emplace_back(key, std::move(value));
    index_.emplace(key, std::prev(entries_.end()));
  }
  void update(std::vector<std::string>& pairs) {
    if (pairs.size() % 2 != 0) throw ValueError("dict.update needs (key, value) pairs");
    for (std::size_t i = 0; i < pairs.size(); i += 2) set(pairs[i], std::move(pairs[i + 1]));
  }
  Entries::iterator find_or_throw(const std::string& key) {
    auto found = index_.find(key);
    if (found == index_.end()) throw KeyError("the manager's dict has no such key");
    return found->second;
  }
  void erase(Entries::iterator it) {
    index_.erase(it->first);
    entries_.erase(it);
  }
  std::string listing(std::string_view what) const {
    std::vector<std::string> out;
    out.reserve(entries_.size() * (what == "items" ? 2 : 1));
    for (const auto& [key, value] : entries_) {
      if (what != "values") out.push_back(key);
      if (what != "keys") out.push_back(value);
    }
    return wire::save(out);
  }

  std::mutex mutex_;
  Entries entries_;
  std::unordered_map<std::string, Entries::iterator> index_;
};

// Python's rules for one index: negative counts from the end; outside is an IndexError.
std::size_t checked_index(const std::string& encoded_index, std::size_t size, const char* kind) {
  std::int64_t index = 0;
  wire::load(encoded_index, index);
  std::int64_t n = static_cast<std::int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) throw IndexError(std::string(kind) + " index out of range");
  return static_cast<std::size_t>(index);
}

// Python's rules for a slice bound: negative counts from the end, then clamped to [0, size].
std::size_t slice_bound(const std::string& encoded_bound, std::size_t size, std::size_t fallback) {
  std::optional<std::int64_t> bound;
  wire::load(encoded_bound, bound);
  if (!bound) return fallback;
  std::int64_t n = static_cast<std::int64_t>(size), b = *bound;
  if (b < 0) b += n;
  return static_cast<std::size_t>(std::clamp<std::int64_t>(b, 0, n));
}

// list and Array: Array is a list whose size is fixed.
class ManagedSequence final : public ManagedObject {
 public:
  ManagedSequence(std::vector<std::string>& values, bool fixed_size)
      : items_(std::move(values)), fixed_(fixed_size), kind_(fixed_size ? "Array" : "list") {}

  std::string call(CallContext&, std::string_view method, std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    if (method == "__getitem__") return items_[index(args, method)];
    if (method == "__setitem__") {
      std::size_t i = index(args, method);
      items_[i] = std::move(argument(args, 1, kind_, method));
      return {};
    }
    if (method == "__len__") return encoded_size(items_.size());
    if (method == "__getslice__") {
      std::size_t start = slice_bound(argument(args, 0, kind_, method), items_.size(), 0);
      std::size_t stop = slice_bound(argument(args, 1, kind_, method), items_.size(), items_.size());
      std::vector<std::string> out;
      if (start < stop) out.assign(items_.begin() + start, items_.begin() + stop);
      return wire::save(out);
    }
    if (fixed_) no_such_method(kind_, method);
    return call_growing(method, args);
  }

 private:
  std::string call_growing(std::string_view method, std::vector<std::string>& args) {
    if (method == "append") {
      items_.push_back(std::move(argument(args, 0, kind_, method)));
      return {};
    }
    if (method == "extend") {
      for (auto& value : args) items_.push_back(std::move(value));
      return {};
    }
    if (method == "__delitem__") {
      items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(index(args, method)));
      return {};
    }
    if (method == "insert") {
      std::int64_t at = 0;
      wire::load(argument(args, 0, kind_, method), at);
      std::int64_t n = static_cast<std::int64_t>(items_.size());
      if (at < 0) at += n;
      at = std::clamp<std::int64_t>(at, 0, n);
      items_.insert(items_.begin() + at, std::move(argument(args, 1, kind_, method)));
      return {};
    }
    if (method == "pop") {
      if (items_.empty()) throw IndexError("pop from empty list");
      std::size_t i = index(args, method);
      std::string value = std::move(items_[i]);
      items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
      return value;
    }
    if (method == "remove" || method == "index") {
      auto found = std::find(items_.begin(), items_.end(), argument(args, 0, kind_, method));
      if (found == items_.end()) throw ValueError("list." + std::string(method) + "(x): x not in list");
      if (method == "index") return encoded_size(static_cast<std::size_t>(found - items_.begin()));
      items_.erase(found);
      return {};
    }
    if (method == "count")
      return encoded_size(static_cast<std::size_t>(
          std::count(items_.begin(), items_.end(), argument(args, 0, kind_, method))));
    if (method == "__contains__")
      return encoded(std::find(items_.begin(), items_.end(), argument(args, 0, kind_, method)) !=
                     items_.end());
    if (method == "reverse") {
      std::reverse(items_.begin(), items_.end());
      return {};
    }
    if (method == "clear") {
      items_.clear();
      return {};
    }
    no_such_method(kind_, method);
  }

  std::size_t index(std::vector<std::string>& args, std::string_view method) const {
    return checked_index(argument(args, 0, kind_, method), items_.size(), kind_);
  }

  std::mutex mutex_;
  std::vector<std::string> items_;
  bool fixed_;
  const char* kind_;
};

class ManagedNamespace final : public ManagedObject {
 public:
  std::string call(CallContext&, std::string_view method, std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    std::string name;
    if (method != "names" && method != "__vars__") wire::load(argument(args, 0, "Namespace", method), name);
    if (method == "__setattr__") {
      attributes_[name] = {argument(args, 1, "Namespace", method),
                           std::move(argument(args, 2, "Namespace", method))};
      return {};
    }
    if (method == "__contains__") return encoded(attributes_.count(name) > 0);
    if (method == "names") {
      std::vector<std::string> names;
      for (const auto& entry : attributes_) names.push_back(entry.first);
      return wire::save(names);
    }
    if (method == "__vars__") {  // name, type, value of each attribute, for printing
      std::vector<std::string> triples;
      for (const auto& [attribute, typed] : attributes_) {
        triples.push_back(attribute);
        triples.push_back(typed.first);
        triples.push_back(typed.second);
      }
      return wire::save(triples);
    }
    auto found = attributes_.find(name);
    if (found == attributes_.end() && (method == "__getattr__" || method == "__delattr__"))
      throw AttributeError("'Namespace' object has no attribute '" + name + "'");
    if (method == "__getattr__") {
      const std::string& wanted = argument(args, 1, "Namespace", method);
      if (wanted != found->second.first)
        throw SerializationError("Namespace attribute '" + name + "' holds a " +
                                 found->second.first + ", not a " + wanted);
      return found->second.second;
    }
    if (method == "__delattr__") {
      attributes_.erase(found);
      return {};
    }
    no_such_method("Namespace", method);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::string>> attributes_;  // name: (type, value)
};

class ManagedValue final : public ManagedObject {
 public:
  explicit ManagedValue(std::vector<std::string>& args)
      : value_(std::move(argument(args, 0, "Value", "Value"))) {}

  std::string call(CallContext&, std::string_view method, std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    if (method == "get") return value_;
    if (method == "set") {
      value_ = std::move(argument(args, 0, "Value", method));
      return {};
    }
    no_such_method("Value", method);
  }

 private:
  std::mutex mutex_;
  std::string value_;
};

}  // namespace

std::shared_ptr<ManagedObject> make_managed_dict(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedDict>(args);
}
std::shared_ptr<ManagedObject> make_managed_list(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedSequence>(args, false);
}
std::shared_ptr<ManagedObject> make_managed_array(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedSequence>(args, true);
}
std::shared_ptr<ManagedObject> make_managed_namespace(CallContext&, std::vector<std::string>&) {
  return std::make_shared<ManagedNamespace>();
}
std::shared_ptr<ManagedObject> make_managed_value(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedValue>(args);
}

}  // namespace mproc::detail
