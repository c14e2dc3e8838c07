// A fixed pool of worker threads that, with the calling thread, take a call's tasks from a shared
// counter. Workers spin briefly after a call (the next convolution usually follows within
// microseconds), then sleep on a futex (C++20 atomic wait) so that they never hold a core that the
// wasm backend's own threads need between our calls.
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace resnext {

class TaskPool {
 public:
  using TaskFn = void (*)(const void* context, int task);

  explicit TaskPool(int workers);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Threads a call runs on: the workers and the caller.
  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs fn(context, t) for t in [0, tasks) on every thread; returns once all are done.
  void run(int tasks, TaskFn fn, const void* context);

 private:
  void work(uint32_t seen);
  void drain();

  std::vector<std::thread> workers_;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  int tasks_ = 0;
  TaskFn fn_ = nullptr;
  const void* context_ = nullptr;
};

}  // namespace resnext
