// Custom manager types with less ceremony: typed proxies (`call<&T::m>`, MPROC_PROXY),
// method_to_typeid, a manager's Pool and SharedMemoryManager, across real processes under every
// start method.
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "support.hpp"

namespace {

struct Counter {
  int value = 0;
  void add(int by) { value += by; }
  int get() const { return value; }
  std::string describe(const std::string& prefix) const { return prefix + std::to_string(value); }
  int checked_get(int limit) const {
    if (value > limit) throw std::out_of_range("counter over the limit");
    return value;
  }
  int secret() const { return 7; }
};

Counter make_counter(int start) { return Counter{start}; }
Counter make_zero_counter() { return Counter{}; }

MPROC_PROXY(CounterProxy, Counter, add, get, describe);

void add_typed(mproc::Proxy<Counter> counter, int times) {
  for (int i = 0; i < times; ++i) counter.call<&Counter::add>(1);
}

void add_with_named_proxy(CounterProxy counter, int by) { counter.add(by); }

void add_through_remote(std::string address, std::string authkey, int by) {
  mproc::BaseManager client(mproc::Address(address), authkey);
  client.connect();
  auto counter = client.create<Counter>("the_counter");
  counter.call<&Counter::add>(by);
}

struct Node {
  int value = 0;
  int get() const { return value; }
  void set(int v) { value = v; }
  template <class A>
  void serialize(A& a) {
    a(value);
  }
};

Node make_node(int value) { return Node{value}; }

struct Tree {
  std::vector<Node> nodes;
  Node& child(int i) { return nodes.at(static_cast<std::size_t>(i)); }
  Node copy_of(int i) const { return nodes.at(static_cast<std::size_t>(i)); }
  std::shared_ptr<Node> fresh(int value) const { return std::make_shared<Node>(Node{value}); }
  int sum() const {
    int total = 0;
    for (const auto& n : nodes) total += n.value;
    return total;
  }
};

Tree make_tree(int size) { return Tree{std::vector<Node>(static_cast<std::size_t>(size))}; }

void set_node(mproc::Proxy<Node> node, int value) { node.call<&Node::set>(value); }

void register_tree(mproc::BaseManager& m) {
  m.register_type("Node", &make_node, mproc::exposed<&Node::get>(), mproc::exposed<&Node::set>());
  m.register_type("Tree", &make_tree, mproc::method_to_typeid<&Tree::child>("Node"),
                  mproc::method_to_typeid<&Tree::copy_of>("Node"),
                  mproc::method_to_typeid<&Tree::fresh>("Node"), mproc::exposed<&Tree::sum>());
}

int square(int x) { return x * x; }
int add(int a, int b) { return a + b; }
int fail_on_three(int x) {
  if (x == 3) throw std::invalid_argument("three is not allowed");
  return x;
}

void map_in_child(mproc::PoolProxy pool, mproc::ListProxy<int> out) {
  for (int v : pool.map(square, std::vector<int>{5, 6})) out.append(v);
}

void read_blocks(std::string block_name, std::string list_name) {
  mproc::SharedMemory block(block_name);
  mproc::ShareableList<int> list(list_name);
  int total = static_cast<int>(block.buf()[0]);
  for (int v : list) total += v;
  mproc::exit(total);
}

}  // namespace

TEST_CASE("manager_types_typed_calls_across_processes", "[manager_types]") {
  mproc::SyncManager m;
  m.register_type("Counter", &make_counter, mproc::exposed<&Counter::add>(),
                  mproc::exposed<&Counter::get>(), mproc::exposed<&Counter::describe>(),
                  mproc::exposed<&Counter::checked_get>("limited_get"));
  m.start();
  auto counter = m.create<Counter>("Counter", 5);
  static_assert(std::is_same_v<decltype(counter), mproc::Proxy<Counter>>);
  static_assert(std::is_same_v<decltype(counter.call<&Counter::get>()), int>);
  static_assert(std::is_void_v<decltype(counter.call<&Counter::add>(1))>);
  std::vector<mproc::Process> procs;
  for (int i = 0; i < 3; ++i) procs.emplace_back(add_typed, counter, 50);
  for (auto& p : procs) p.start();
  for (auto& p : procs) test::join_or_fail(p);
  for (auto& p : procs) CHECK(p.exitcode() == 0);
  CHECK(counter.call<&Counter::get>() == 155);
  counter.call<&Counter::add>(short{1});                          // converted to int
  CHECK(counter.call<&Counter::describe>("n=") == "n=156");        // const char* to std::string
  CHECK(counter.callmethod<int>("get") == 156);                   // by name still works
  CHECK(counter.callmethod<int>("limited_get", 1000) == 156);     // a name of one's own
  CHECK(counter.call<&Counter::checked_get>(1000) == 156);        // typed, whatever its name
  // A method that throws: the error comes back with its message, and the server goes on.
  CHECK_THROWS_WITH(counter.call<&Counter::checked_get>(10), Catch::Contains("over the limit"));
  CHECK_THROWS_AS(counter.call<&Counter::secret>(), mproc::AttributeError);  // not exposed
  CHECK(counter.call<&Counter::get>() == 156);

  // A proxy class with the object's method names.
  auto named = m.create<CounterProxy>("Counter", 1);
  named.add(4);
  mproc::Process p(add_with_named_proxy, named, 10);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK(named.get() == 15);
  CHECK(named.describe(std::string("v")) == "v15");
}

TEST_CASE("manager_types_typed_calls_on_a_remote_manager", "[manager_types]") {
  mproc::BaseManager server(mproc::Address("127.0.0.1", 0), std::string("typed-key"));
  server.register_type("Counter", &make_zero_counter, mproc::exposed<&Counter::add>(),
                       mproc::exposed<&Counter::get>());
  server.register_shared("the_counter", "Counter");
  server.start();
  mproc::Process p(add_through_remote, server.address().to_string(), std::string("typed-key"), 7);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  mproc::BaseManager client(server.address(), std::string("typed-key"));
  client.connect();
  CHECK(client.create<Counter>("the_counter").call<&Counter::get>() == 7);
}

TEST_CASE("manager_types_method_to_typeid_proxies_live_as_long_as_their_proxy", "[manager_types]") {
  mproc::SyncManager m;
  register_tree(m);
  m.start();
  auto tree = m.create<Tree>("Tree", 3);
  REQUIRE(m.number_of_objects() == 1);
  {
    auto node = tree.call_proxy<&Tree::child>(1);
    static_assert(std::is_same_v<decltype(node), mproc::Proxy<Node>>);
    CHECK(node.kind() == "Node");
    CHECK(m.number_of_objects() == 2);
    node.call<&Node::set>(40);
    mproc::Process p(set_node, node, 42);  // a child's reference keeps it too, then goes
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
    CHECK(node.call<&Node::get>() == 42);
    CHECK(tree.call<&Tree::sum>() == 42);  // a reference result is the tree's own node
    CHECK(m.number_of_objects() == 2);
  }
  CHECK(m.number_of_objects() == 1);  // freed with its last proxy
  {
    auto copy = tree.callmethod<mproc::Proxy<Node>>("copy_of", 1);  // by value: a new object
    copy.call<&Node::set>(1);
    auto fresh = tree.call_proxy<&Tree::fresh>(9);                // by shared_ptr
    CHECK(fresh.call<&Node::get>() == 9);
    CHECK(tree.call<&Tree::sum>() == 42);
    CHECK(m.number_of_objects() == 3);
  }
  CHECK(m.number_of_objects() == 1);
  // Called the wrong way round: a clear error, nothing held.
  CHECK_THROWS_AS(tree.callmethod<Node>("copy_of", 1), mproc::ValueError);
  CHECK_THROWS_AS(tree.callmethod<mproc::Proxy<>>("sum"), mproc::ValueError);
  CHECK(m.number_of_objects() == 1);
}

TEST_CASE("manager_types_method_to_typeid_of_an_unknown_type_is_refused_at_start",
          "[manager_types]") {
  mproc::SyncManager m;
  m.register_type("Tree", &make_tree, mproc::method_to_typeid<&Tree::child>("Nowhere"));
  CHECK_THROWS_WITH(m.start(), Catch::Contains("not a registered type"));
}

TEST_CASE("manager_types_pool_in_the_manager", "[manager_types]") {
  auto m = mproc::Manager();
  auto pool = m.Pool(2);
  CHECK(pool.processes() == 2);
  std::vector<int> items;
  std::vector<int> want;
  for (int i = 0; i < 20; ++i) {
    items.push_back(i);
    want.push_back(i * i);
  }
  CHECK(pool.map(square, items) == want);
  CHECK(pool.map(square, items, 3) == want);
  CHECK(pool.imap(square, items) == want);
  CHECK(pool.map(square, std::vector<int>{}).empty());
  CHECK(pool.apply(add, 2, 3) == 5);
  CHECK(pool.starmap(add, std::vector<std::tuple<int, int>>{{1, 2}, {3, 4}}) ==
        std::vector<int>{3, 7});
  auto result = pool.apply_async(add, 20, 22);
  CHECK(result.get(test::deadline_seconds) == 42);
  CHECK(result.ready());
  CHECK(result.successful());
  CHECK_THROWS_WITH(pool.map(fail_on_three, items), Catch::Contains("three is not allowed"));
  auto failed = pool.apply_async(fail_on_three, 3);
  failed.wait(test::deadline_seconds);
  CHECK_FALSE(failed.successful());

  auto out = m.list<int>();
  mproc::Process p(map_in_child, pool, out);  // the proxy works in a child too
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK(out.tolist() == std::vector<int>{25, 36});

  pool.close();
  pool.join();
  CHECK_THROWS(pool.apply(add, 1, 1));  // closed
  result = {};
  failed = {};
  CHECK(m.number_of_objects() == 2);  // the pool and the list: every job went with its proxy
}

TEST_CASE("manager_types_pool_terminate_fails_unfinished_work", "[manager_types]") {
  auto m = mproc::Manager();
  auto pool = m.Pool(1);
  CHECK(pool.apply(square, 3) == 9);
  pool.terminate();
  pool.join();
  CHECK_THROWS(pool.apply(square, 3));
}

TEST_CASE("manager_types_shared_memory_manager_unlinks_at_shutdown", "[manager_types]") {
  std::string block_name, list_name, forgotten_name;
  {
    mproc::SharedMemoryManager smm;
    CHECK_THROWS_AS(smm.SharedMemory(16), mproc::ValueError);  // not started
    smm.start();
    auto block = smm.SharedMemory(64);
    block.buf()[0] = std::byte{4};
    auto list = smm.ShareableList<int>({1, 2, 3});
    block_name = block.name();
    list_name = list.shm().name();
    {
      auto forgotten = smm.SharedMemory(8);  // closed, never unlinked by its creator
      forgotten_name = forgotten.name();
      forgotten.close();
    }
    auto segments = smm.list_segments();
    CHECK(segments.size() == 3);
    mproc::Process p(read_blocks, block_name, list_name);  // attached by name in a child
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 4 + 1 + 2 + 3);
    // Closed here first: Windows keeps a block while any process maps it, whatever unlink did.
    block.close();
    list.shm().close();
    smm.shutdown();
    CHECK_THROWS_AS(mproc::SharedMemory(block_name), mproc::SystemError);
    CHECK_THROWS_AS(mproc::SharedMemory(list_name), mproc::SystemError);
    CHECK_THROWS_AS(mproc::SharedMemory(forgotten_name), mproc::SystemError);
  }
  // The destructor shuts it down as well (Python's `with SharedMemoryManager() as smm:`).
  {
    mproc::SharedMemoryManager smm;
    smm.start();
    block_name = smm.SharedMemory(32).name();
  }
  CHECK_THROWS_AS(mproc::SharedMemory(block_name), mproc::SystemError);
}
